/**
 * The rows projections produce. Times are ISO-8601 in UTC, `day` is days since 1970-01-01 (UTC)
 * and `phase` is the session's phase when the event happened (`''` before any phase was set).
 */
import type { TokenCounts } from '../events/payloads.js';

/** Where an event sits in time and in its session's phases. */
export interface EventPosition {
  /** ISO-8601, UTC. */
  ts: string;
  /** Epoch ms. */
  time: number;
  day: number;
  phase: string;
}

/** Whose a row is: the event's owner (`eventOwner`: an imported event's origin, else the local identity). */
export interface RowOwner {
  user: string;
  machine: string;
}

/** What projections see of an event's place: its position and its owner. */
export interface EventContext extends EventPosition, RowOwner {}

/** Fields every per-event row shares. */
export interface EventRowBase extends EventPosition, RowOwner {
  session: string;
  /** The event's `seq` in its session. */
  seq: number;
  /** The agent the event concerns. */
  agent: string;
}

/** One session: when it ran, its phase, and counts of what happened. */
export interface SessionRow extends RowOwner {
  session: string;
  firstEventAt: string;
  lastEventAt: string;
  /** Time of the (first) `session_start` event. */
  startedAt: string | null;
  /** Time of the (last) `session_end` event. */
  endedAt: string | null;
  endReason: string | null;
  /** The current phase (`''`: none set). */
  phase: string;
  /** Every phase the session has been in, in order. */
  phases: string[];
  client: string | null;
  model: string | null;
  cwd: string | null;
  gitBranch: string | null;
  /** Events applied. */
  events: number;
  lastSeq: number;
  /** Events applied, per type. */
  eventCounts: Record<string, number>;
  toolFailures: number;
  errorsFixed: number;
  validationsFailed: number;
}

/** One agent invocation: a `started` event paired with its end (by tool_use_id or agent_id). */
export interface InvocationRow extends RowOwner {
  /** The id of its first event. */
  id: string;
  session: string;
  /** `seq` of its first event. */
  seq: number;
  /** The agent type invoked. */
  agent: string;
  /** The agent that invoked it. */
  parentAgent: string | null;
  agentId: string | null;
  toolUseId: string | null;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  /** Day and phase of its start (its end is counted there too). */
  day: number;
  phase: string;
  status: 'started' | 'completed' | 'failed';
  /** Null while unknown. */
  success: boolean | null;
  durationMs: number | null;
  /** Cost inputs as the invocation reported them (the usage totals come from api_response events). */
  model: string | null;
  tokens: TokenCounts | null;
}

/** One tool call. */
export interface ToolUseRow extends EventRowBase {
  tool: string;
  durationMs: number | null;
  success: boolean;
  /** A one-line summary of the parameters (see `summarizeParameters`). */
  parameters: string | null;
  error: string | null;
  toolUseId: string | null;
}

/** One error. */
export interface ErrorRow extends EventRowBase {
  errorType: string;
  message: string | null;
  /** Groups the same error across sessions (see `errorFingerprint`). */
  fingerprint: string;
  /** The context, as text (JSON for objects), shortened. */
  context: string | null;
  attemptedFix: string | null;
  fixAttempted: boolean;
  /** Null when no fix outcome was reported. */
  fixed: boolean | null;
  toolUseId: string | null;
}

/** What a fingerprint stands for. */
export interface FingerprintRow {
  fingerprint: string;
  errorType: string;
  /** The normalised message. */
  pattern: string;
  /**
   * A message it was seen with, shortened: that of its earliest occurrence (ties: the smallest
   * text), so that the answer does not depend on the order events were applied in.
   */
  sample: string | null;
  /** Time (epoch ms) of the occurrence `sample` comes from. */
  sampleAt: number;
}

/** One file operation. */
export interface FileOperationRow extends EventRowBase {
  path: string;
  operation: 'create' | 'modify' | 'delete' | 'read' | 'rename';
  fromPath: string | null;
  gitHash: string | null;
  bytes: number | null;
}

/** One decision. */
export interface DecisionRow extends EventRowBase {
  question: string;
  selected: string;
  options: string[] | null;
  rationale: string | null;
}

/** One validation. */
export interface ValidationRow extends EventRowBase {
  task: string;
  result: 'pass' | 'fail' | 'partial';
  checks: number;
  checksPassed: number;
}

/** Token figures of api_response events. */
export interface UsageTokens {
  responses: number;
  input: number;
  output: number;
  cache_creation: number;
  cache_creation_1h: number;
  cache_read: number;
}

/**
 * One API response counted so far in a session (by source, message_id and request_id): where it
 * was counted and its largest figures (`[input, output, cache_creation, cache_creation_1h,
 * cache_read]`). `counted` is false for a task_result estimate left out by the sub-agent rule.
 */
export interface CountedResponse extends RowOwner {
  day: number;
  phase: string;
  agent: string;
  model: string;
  tokens: [number, number, number, number, number];
  counted: boolean;
  /** The sub-agent's id, for task_result estimates. */
  agentId?: string;
  /** Claude Code's own cost of the request (OpenTelemetry's `cost_usd`), once known. */
  costUsd?: number;
}

/**
 * What projections remember about a session between batches: the applied `seq`, the current
 * phase, and one slice per projection that needs one. Stores save it with the checkpoint.
 */
export interface SessionProjectionState {
  session: string;
  /** Highest `seq` applied. */
  lastSeq: number;
  /** The current phase (`''`: none). */
  phase: string;
  /** Slice of the `sessions` projection: the row so far. */
  sessions?: SessionRow;
  /** Slice of `agent_invocations`: invocations started and not yet ended, by pairing key. */
  agent_invocations?: { open: Record<string, InvocationRow> };
  /**
   * Slice of `api_usage`: every response counted (each once, with its largest figures), the
   * sub-agents (by agent_id) whose own transcript was seen, and the request ids of the transcript
   * responses (what Claude Code's own records join).
   */
  api_usage?: {
    responses: Record<string, CountedResponse>;
    transcripts: Record<string, true>;
    /** Transcript responses by request id: the key of each in `responses`. */
    requests?: Record<string, string>;
  };
}
