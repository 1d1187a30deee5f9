import type { TokenCounts } from '../events/payloads.js';

/**
 * Version of the {@link SessionState} shape. A snapshot holding a state of another version is
 * not used as a starting point: the session is replayed from its log instead.
 */
export const SESSION_STATE_VERSION = 5;

/**
 * How much of each list the state keeps. The state of a session of any length stays small (a
 * few kilobytes to a few hundred), so snapshots stay cheap to write and to read.
 */
export const STATE_LIMITS = Object.freeze({
  /** Prompts kept besides the first (the goal). */
  recentPrompts: 5,
  /** Last assistant messages (`turn_end.last_message`) kept. */
  lastMessages: 3,
  /** Finished agent runs kept in detail (all are counted in `agents.byAgent`). */
  recentAgentRuns: 20,
  /** Agent runs still running kept in detail (more are counted in `agents.runningDropped`). */
  runningAgents: 200,
  /** Decisions kept in detail (all are counted). */
  recentDecisions: 20,
  /** Open errors kept in detail (older ones are counted in `errors.openDropped`). */
  openErrors: 50,
  /** Failed validations kept (one per task). */
  failedValidations: 20,
  /** Items of a todo list kept. */
  todoItems: 50,
  /**
   * API responses remembered by `(source, message_id, request_id)`, so a response recorded twice
   * (a transcript line read while it was still being written, then again once complete) counts
   * once, with its largest figures. A repeat comes within a few events of the first copy.
   */
  responseWindow: 256,
  /**
   * Claude Code's own API request records (OpenTelemetry) waiting for the transcript response of
   * the same request id; older ones are counted for good in `tokens.otelOnly`.
   */
  otelPending: 512,
  /** Tool calls in the error-spike window (the last ones; their error events are counted). */
  alertWindowCalls: 20,
});

/** Token counts of some API responses of one model, with the 1-hour cache part and the count. */
export interface TokenBucket extends TokenCounts {
  /** The part of `cacheCreation` written to the 1-hour cache. */
  cacheCreation1h: number;
  responses: number;
}

/** A {@link TokenBucket} whose responses carry Claude Code's own cost (OpenTelemetry's `cost_usd`), summed. */
export interface CostedBucket extends TokenBucket {
  costUsd: number;
}

/**
 * A Claude Code API request record (OpenTelemetry) no transcript response has joined yet:
 * `[requestId, model, agent, input, output, cacheCreation, cacheRead, costUsd]` (`costUsd` null
 * when the record had none).
 */
export type OtelResponse = [string, string, string, number, number, number, number, number | null];

/** One run of an agent (a sub-agent invoked through Task/Agent, or logged through the API). */
export interface AgentRunState {
  /** What joins its start and its end: the tool_use_id, else the agent_id, else the event id. */
  key: string;
  agent: string;
  status: 'running' | 'completed' | 'failed';
  invokedBy?: string;
  reason?: string;
  agentId?: string;
  toolUseId?: string;
  model?: string;
  tokens?: TokenCounts;
  durationMs?: number;
  /** Tool calls the run made so far (counted while it runs, from events of its agent). */
  tools?: number;
  startSeq: number;
  startedAt: string;
  endSeq?: number;
  endedAt?: string;
}

/** How often one agent was run, and how that went. */
export interface AgentTally {
  invocations: number;
  completed: number;
  failed: number;
  /** Sum of the recorded durations. */
  durationMs: number;
}

/** One item of a TodoWrite list. */
export interface TodoItem {
  content: string;
  /** `pending`, `in_progress` or `completed` (as Claude Code writes them). */
  status: string;
  activeForm?: string;
}

/** The latest todo list of one agent. */
export interface TodoList {
  seq: number;
  ts: string;
  items: TodoItem[];
  /** Items beyond `STATE_LIMITS.todoItems` that were not kept. */
  dropped: number;
}

/** A file the session changed (reads are not changes). */
export interface FileState {
  path: string;
  /** The last operation: `create`, `modify`, `delete` or `rename`. */
  operation: string;
  /** Changes recorded. */
  operations: number;
  /** The git blob hash the event recorded (what was written), if any. */
  gitHash?: string;
  bytes?: number;
  /** For a rename: the old path. */
  fromPath?: string;
  agent: string;
  firstSeq: number;
  lastSeq: number;
  lastAt: string;
}

/** A decision taken in the session. */
export interface DecisionState {
  seq: number;
  ts: string;
  agent: string;
  question: string;
  selected: string;
  options?: string[];
  rationale?: string;
}

/** An error not (yet) known to be fixed: an `error` event, or a failed tool call. */
export interface OpenError {
  seq: number;
  ts: string;
  agent: string;
  /** `error`: an error event; `tool`: a failed tool call (possibly with its error event merged in). */
  source: 'error' | 'tool';
  /** The error event's `error_type`, or the tool's name for a failed call with no error event. */
  errorType: string;
  message?: string;
  tool?: string;
  /** `<tool>:<command or path>`: a later successful call with the same key resolves it. */
  callKey?: string;
  toolUseId?: string;
  attemptedFix?: string;
}

/** A validation whose last result for its task was `fail` or `partial`. */
export interface FailedValidation {
  seq: number;
  ts: string;
  agent: string;
  task: string;
  result: 'fail' | 'partial';
  failedChecks: string[];
}

/** A prompt of the session. */
export interface PromptState {
  seq: number;
  ts: string;
  /** The text (shortened). */
  text: string;
  /** The full length in characters. */
  chars: number;
}

/** The last message of an agent's turn. */
export interface MessageState {
  seq: number;
  ts: string;
  agent: string;
  text: string;
}

/**
 * One remembered API response: `[key, model, bucket, input, output, cacheCreation, cacheRead,
 * cacheCreation1h, agent, costUsd?]`, where bucket is `''` for a transcript response and the agent id (or
 * `'-'`) for a `task_result` estimate. `costUsd` is set once Claude Code's record of the same request
 * joined it: the response then counts in `tokens.costed` instead of `tokens.byAgent`.
 */
export type RecentResponse = [
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  string,
  number?,
];

/** The latest `alert` event of one kind in a session, and whether it still holds. */
export interface AlertState {
  kind: string;
  level: 'info' | 'warning' | 'critical';
  message: string;
  metric?: string;
  value?: number;
  threshold?: number;
  baseline?: number;
  action?: string;
  seq: number;
  ts: string;
  /**
   * False once what it reported has passed: a context alert after a compaction or a lower context
   * reading below its threshold, an error spike once the window's error rate fell below its threshold.
   */
  current: boolean;
  /** For a context alert: the main context (tokens) when the alert was folded in. */
  contextTokens?: number;
}

/**
 * One session's state, folded from its events by `reduceSession`: what a person or a new agent
 * needs to pick the work up. Plain JSON (no Maps, no Dates), bounded in size (see
 * {@link STATE_LIMITS}); costs are computed when read (`summarizeSessionState`), never stored.
 */
export interface SessionState {
  /** {@link SESSION_STATE_VERSION}. */
  v: number;
  session: string;
  /** The last event reduced (0: none). */
  lastSeq: number;
  /** Events reduced. */
  events: number;
  /** Events by type. */
  counts: Record<string, number>;
  /** Time of the first event. */
  start?: string;
  lastEventAt?: string;
  /** Time of the last event other than sat's own bookkeeping (`snapshot`, `handoff`, `backup`, `alert`). */
  lastActivityAt?: string;
  /** True after a `session_end` (until a later `session_start` resumes it). */
  ended: boolean;
  end?: string;
  endSeq?: number;
  endReason?: string;
  client?: string;
  /** The session's working folder (from `session_start`): relative file paths are resolved against it. */
  cwd?: string;
  gitBranch?: string;
  model?: string;
  /** The Claude Code transcript the session was imported from, when known. */
  transcript?: string;
  phase?: { value: string | number; name?: string; seq: number };
  /** The first prompt: the session's goal. */
  goal?: PromptState;
  prompts: number;
  recentPrompts: PromptState[];
  lastMessages: MessageState[];
  agents: {
    /** Agent runs seen (a start and its end count once). */
    invocations: number;
    running: AgentRunState[];
    runningDropped: number;
    /** The last finished runs, oldest first. */
    recent: AgentRunState[];
    byAgent: Record<string, AgentTally>;
  };
  /** The latest TodoWrite list, per agent. */
  todos: Record<string, TodoList>;
  /** Files changed, by path. */
  files: Record<string, FileState>;
  decisions: { count: number; recent: DecisionState[] };
  errors: {
    /** Error events and failed tool calls seen. */
    count: number;
    open: OpenError[];
    /** Open errors beyond `STATE_LIMITS.openErrors`, no longer kept in detail. */
    openDropped: number;
  };
  validations: { count: number; failed: FailedValidation[] };
  /** Tool calls by tool. */
  tools: Record<string, { uses: number; failures: number; durationMs: number }>;
  tokens: {
    /** Responses counted from transcripts, by agent and model. */
    byAgent: Record<string, Record<string, TokenBucket>>;
    /**
     * Estimates from a parent's Task/Agent result (`source: 'task_result'`), by agent id (`'-'`
     * when none), agent and model. Counted only while no transcript response of that agent id exists.
     */
    estimates: Record<string, Record<string, Record<string, TokenBucket>>>;
    /** Agent ids with at least one transcript response, sorted. */
    transcriptAgents: string[];
    /** See {@link RecentResponse}. */
    recent: RecentResponse[];
    /** Transcript responses joined by Claude Code's record of their request (with its cost), by agent and model. */
    costed: Record<string, Record<string, CostedBucket>>;
    /** Claude Code's records no transcript response joined yet, oldest first (see `OtelResponse`). */
    otelPending: OtelResponse[];
    /** Claude Code's records counted on their own for good (pushed out of `otelPending`, or without a request id). */
    otelOnly: Record<string, Record<string, CostedBucket>>;
  };
  /** The latest main-agent API response: how full its context was. */
  context?: { model: string; tokens: number; seq: number; ts: string };
  compaction: {
    /** `context_snapshot` events with a `pre-compact` trigger. */
    count: number;
    lastPreCompactSeq?: number;
    last?: { seq: number; ts: string; trigger?: string; tokensBefore?: number; tokensAfter?: number };
  };
  lastSnapshot?: { id: string; atSeq?: number; trigger: string; seq: number; ts: string };
  lastHandoff?: { path: string; trigger?: string; tokens?: number; seq: number; ts: string };
  /** The latest `backup` event (an open session's backup; a closed one's is in its backup marker). */
  lastBackup?: { target: string; trigger?: string; seq: number; ts: string };
  alerts: {
    /** `alert` events seen. */
    count: number;
    /** The latest alert of each kind. */
    byKind: Record<string, AlertState>;
    /** The error-spike window: seqs of the last `STATE_LIMITS.alertWindowCalls` tool calls, and of the error events since the first of them. */
    window: { calls: number[]; errors: number[] };
  };
}

/**
 * The state of a session before its first event.
 *
 * @example
 * const state = emptySessionState('s1'); // { v: 4, session: 's1', lastSeq: 0, ... }
 */
export function emptySessionState(session: string): SessionState {
  return {
    v: SESSION_STATE_VERSION,
    session,
    lastSeq: 0,
    events: 0,
    counts: {},
    ended: false,
    prompts: 0,
    recentPrompts: [],
    lastMessages: [],
    agents: { invocations: 0, running: [], runningDropped: 0, recent: [], byAgent: {} },
    todos: {},
    files: {},
    decisions: { count: 0, recent: [] },
    errors: { count: 0, open: [], openDropped: 0 },
    validations: { count: 0, failed: [] },
    tools: {},
    tokens: {
      byAgent: {},
      estimates: {},
      transcriptAgents: [],
      recent: [],
      costed: {},
      otelPending: [],
      otelOnly: {},
    },
    compaction: { count: 0 },
    alerts: { count: 0, byKind: {}, window: { calls: [], errors: [] } },
  };
}
