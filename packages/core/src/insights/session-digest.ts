import { basename } from 'node:path';
import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import { contextWindowFor } from '../pricing/prices.js';
import { errorFingerprint, normalizeErrorMessage } from '../projections/error-fingerprint.js';
import { type UsageTokenCounts, usageFactOf } from '../usage/usage-facts.js';
import { UsageLedger } from '../usage/usage-ledger.js';
import {
  ActiveTime,
  completedTodos,
  type DigestFailurePair,
  type DigestTaskRun,
  FailurePairs,
  TaskRuns,
} from './digest-activity.js';

/**
 * The version of the {@link SessionDigest} shape and rules: a cached digest of another version is
 * read again from the log.
 */
export const DIGEST_VERSION = 2;

/** What resolved an error: the fix reported with it, the successful call after it, or the edit before that call. */
export interface ResolvingStep {
  kind: 'attempted_fix' | 'tool_call' | 'file_edit';
  /** With what varies normalised out (`modify config.ts`, `Bash npm test`, the fix text). */
  text: string;
}

/** One error of a session, with what came before and after it. */
export interface DigestError {
  seq: number;
  /** Epoch ms. */
  at: number;
  agent: string;
  errorType: string;
  message: string;
  fingerprint: string;
  pattern: string;
  /** The session's phase when it happened (`''`: none set). */
  phase: string;
  /** The tool whose call failed, when known (by `tool_use_id` or `context.tool`). */
  tool: string | null;
  /** The kind of the agent's edit right before the failed call (`modify *.json`); null when none. */
  afterEdit: string | null;
  /** Epoch ms of the resolution; null while unresolved. */
  resolvedAt: number | null;
  resolvingStep: ResolvingStep | null;
}

/** Calls of one tool by one agent in a session. */
export interface DigestToolCalls {
  tool: string;
  agent: string;
  uses: number;
  failures: number;
  /** Durations reported (ms), in order. */
  durations: number[];
}

/** Invocations of one sub-agent type in a session. */
export interface DigestAgentRuns {
  agent: string;
  invocations: number;
  successes: number;
  failures: number;
  durations: number[];
}

/**
 * Tokens of one agent on one model in a session, in one phase and day (where each response was
 * first seen, as the store counts it), each response once, after the sub-agent rule.
 */
export interface DigestUsage {
  agent: string;
  model: string;
  /** The phase (`''`: none set) and UTC day (`YYYY-MM-DD`) of its responses. */
  phase: string;
  day: string;
  responses: number;
  tokens: UsageTokenCounts;
}

/** A time the context came near its window (>= 90%, or a compaction). */
export interface ContextLimitHit {
  at: number;
  tokens: number;
  window: number;
  /** Tool calls since the previous hit (or the session's start), most first: what filled the context. */
  filledBy: Array<{ tool: string; calls: number }>;
}

/** Everything the insights need of one session, from one pass over its events. */
export interface SessionDigest {
  session: string;
  /** Epoch ms of the first and last event. */
  startedAt: number;
  endedAt: number;
  /** `YYYY-MM-DD` (UTC) of the first event. */
  day: string;
  /** Phases the session was in, in order (as text). */
  phases: string[];
  events: number;
  toolCalls: number;
  toolFailures: number;
  filesChanged: number;
  /** Files created, modified, deleted or renamed (reads excluded), with how many such operations. */
  fileChanges: Array<{ path: string; changes: number }>;
  /** Sum of the gaps between consecutive events, each capped at 5 minutes ({@link IDLE_CAP_MS}). */
  activeMs: number;
  /**
   * Tasks completed: `todos` the items marked `completed` in each agent's last TodoWrite list,
   * `subAgentRuns` the sub-agent runs that ended with success.
   */
  tasks: { todos: number; subAgentRuns: number };
  /** Sub-agent runs, with the task they were given and their tokens. */
  taskRuns: DigestTaskRun[];
  /** Tools whose failures came together (see `FailurePairs`). */
  failurePairs: DigestFailurePair[];
  errors: DigestError[];
  tools: DigestToolCalls[];
  agents: DigestAgentRuns[];
  usage: DigestUsage[];
  /** Largest context seen, in tokens, and when (epoch ms); 0 when no snapshot reported one. */
  contextPeak: { tokens: number; at: number; window: number };
  contextLimitHits: ContextLimitHit[];
}

const READ_ONLY_TOOLS = new Set(['Read', 'Grep', 'Glob', 'LS', 'WebFetch', 'WebSearch', 'TodoWrite']);
const LIMIT_SHARE = 0.9;
/** An error follows an edit when the edit came at most this many events before it (edit, failed call, error). */
const EDIT_REACH = 2;

function editKind(operation: string, path: string): string {
  const dot = basename(path).lastIndexOf('.');
  return `${operation} *${dot > 0 ? basename(path).slice(dot) : ''}`;
}

function toolText(tool: string, parameters: Record<string, unknown> | undefined): string {
  const command = parameters?.command ?? parameters?.file_path ?? parameters?.pattern;
  return typeof command === 'string' ? `${tool} ${normalizeErrorMessage(command).slice(0, 80)}` : tool;
}

function entry<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Accumulates one session's events into a {@link SessionDigest}; see {@link digestSession}. */
class DigestBuilder {
  private readonly ledger = new UsageLedger();
  private readonly pending: DigestError[] = [];
  private readonly lastEdit = new Map<string, { kind: string; text: string; index: number }>();
  private readonly editsSince = new Map<DigestError, ResolvingStep>();
  private readonly toolOfUse = new Map<string, string>();
  private readonly tools = new Map<string, DigestToolCalls>();
  private readonly agents = new Map<string, DigestAgentRuns>();
  private readonly changed = new Map<string, number>();
  private readonly active = new ActiveTime();
  private readonly pairs = new FailurePairs();
  private readonly runs = new TaskRuns();
  private readonly todos = new Map<string, number>();
  private readonly factAt = new Map<string, { phase: string; day: string }>();
  private currentPhase = '';
  /** Tool calls per tool at the last context limit hit: what filled the context is what came after. */
  private callsAtHit = new Map<string, number>();
  private readonly digest: SessionDigest;

  constructor(session: string) {
    this.digest = {
      session,
      startedAt: Number.NaN,
      endedAt: Number.NaN,
      day: '',
      phases: [],
      events: 0,
      toolCalls: 0,
      toolFailures: 0,
      filesChanged: 0,
      fileChanges: [],
      activeMs: 0,
      tasks: { todos: 0, subAgentRuns: 0 },
      taskRuns: [],
      failurePairs: [],
      errors: [],
      tools: [],
      agents: [],
      usage: [],
      contextPeak: { tokens: 0, at: 0, window: 0 },
      contextLimitHits: [],
    };
  }

  add(event: AnySatEvent): void {
    const at = Date.parse(event.ts);
    const d = this.digest;
    if (d.events === 0) d.startedAt = at;
    d.events++;
    d.endedAt = Math.max(d.endedAt || at, at);
    this.active.add(at);
    this.pairs.boundary(event);
    const fact = usageFactOf(event);
    if (fact) {
      const key = `${fact.source}\u0000${fact.key}`;
      if (!this.factAt.has(key))
        this.factAt.set(key, { phase: this.currentPhase, day: event.ts.slice(0, 10) });
      this.ledger.add(fact);
    }
    const handler = HANDLERS[event.type] as
      | ((b: DigestBuilder, e: AnySatEvent, at: number) => void)
      | undefined;
    handler?.(this, event, at);
  }

  phase(value: string | number | undefined): void {
    if (value === undefined) return;
    const text = String(value);
    this.currentPhase = text;
    if (!this.digest.phases.includes(text)) this.digest.phases.push(text);
  }

  toolUse(event: SatEvent<'tool_usage'>, at: number): void {
    const d = event.data;
    const agent = d.agent ?? event.agent;
    const key = `${d.tool}\u0000${agent}`;
    const row = entry(this.tools, key, () => ({ tool: d.tool, agent, uses: 0, failures: 0, durations: [] }));
    row.uses++;
    this.digest.toolCalls++;
    if (d.duration_ms !== undefined) row.durations.push(d.duration_ms);
    if (d.tool_use_id) this.toolOfUse.set(d.tool_use_id, d.tool);
    if (!d.success) {
      row.failures++;
      this.digest.toolFailures++;
      this.pairs.failure(d.tool, this.digest.events);
      return;
    }
    if (d.tool === 'TodoWrite') {
      const done = completedTodos(event);
      if (done !== null) this.todos.set(event.agent, done);
    }
    this.resolveBy(agent, d.tool, at, { kind: 'tool_call', text: toolText(d.tool, d.parameters) });
  }

  private resolveBy(agent: string, tool: string, at: number, step: ResolvingStep): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const error = this.pending[i]!;
      if (error.agent !== agent) continue;
      const matches = error.tool === null ? !READ_ONLY_TOOLS.has(tool) : error.tool === tool;
      if (!matches) continue;
      error.resolvedAt = at;
      error.resolvingStep = this.editsSince.get(error) ?? step;
      this.pending.splice(i, 1);
    }
  }

  error(event: SatEvent<'error'>, at: number): void {
    const d = event.data;
    const { fingerprint, pattern } = errorFingerprint(d.error_type, d.message);
    const context = d.context && typeof d.context === 'object' ? d.context : undefined;
    const tool =
      (d.tool_use_id ? this.toolOfUse.get(d.tool_use_id) : undefined) ??
      (typeof context?.tool === 'string' ? context.tool : null);
    const error: DigestError = {
      seq: event.seq,
      at,
      agent: event.agent,
      errorType: d.error_type,
      message: d.message ?? '',
      fingerprint,
      pattern,
      phase: this.currentPhase,
      tool,
      afterEdit: this.recentEdit(event.agent),
      resolvedAt: null,
      resolvingStep: null,
    };
    this.digest.errors.push(error);
    if (d.fix_successful === true) {
      error.resolvedAt = at;
      error.resolvingStep = {
        kind: 'attempted_fix',
        text: normalizeErrorMessage(d.attempted_fix ?? 'fix reported'),
      };
    } else this.pending.push(error);
  }

  /** The kind of the agent's edit if it came at most {@link EDIT_REACH} events before this one. */
  private recentEdit(agent: string): string | null {
    const edit = this.lastEdit.get(agent);
    return edit && this.digest.events - edit.index <= EDIT_REACH ? edit.kind : null;
  }

  fileOperation(event: SatEvent<'file_operation'>): void {
    const { operation, path } = event.data;
    if (operation === 'read') return;
    this.changed.set(path, (this.changed.get(path) ?? 0) + 1);
    if (operation === 'rename') return;
    const edit = {
      kind: editKind(operation, path),
      text: `${operation} ${basename(path)}`,
      index: this.digest.events,
    };
    this.lastEdit.set(event.agent, edit);
    for (const error of this.pending)
      if (error.agent === event.agent) this.editsSince.set(error, { kind: 'file_edit', text: edit.text });
  }

  invocation(event: SatEvent<'agent_invocation'>, at: number): void {
    this.runs.invocation(event, at, this.currentPhase);
    const d = event.data;
    const row = entry(this.agents, d.agent, () => ({
      agent: d.agent,
      invocations: 0,
      successes: 0,
      failures: 0,
      durations: [],
    }));
    const ended =
      d.status === 'completed' ||
      d.status === 'failed' ||
      (d.status === undefined && d.success !== undefined);
    if (d.status !== 'completed' && d.status !== 'failed') row.invocations++;
    if (!ended) return;
    if (d.success === true || (d.success === undefined && d.status === 'completed')) row.successes++;
    else row.failures++;
    if (d.duration_ms !== undefined) row.durations.push(d.duration_ms);
  }

  context(event: SatEvent<'context_snapshot'>, at: number): void {
    const d = event.data;
    const tokens = Math.max(d.tokens_before ?? 0, d.tokens_after ?? 0);
    const window = d.context_window ?? contextWindowFor(this.usageModel()).tokens;
    const peak = this.digest.contextPeak;
    if (tokens > peak.tokens) this.digest.contextPeak = { tokens, at, window };
    const compaction = d.trigger === 'auto' || d.trigger === 'compact';
    if (tokens < LIMIT_SHARE * window && !compaction) return;
    const calls = new Map<string, number>();
    for (const row of this.tools.values()) calls.set(row.tool, (calls.get(row.tool) ?? 0) + row.uses);
    const filledBy = [...calls].map(([tool, n]) => [tool, n - (this.callsAtHit.get(tool) ?? 0)] as const);
    this.callsAtHit = calls;
    this.digest.contextLimitHits.push({
      at,
      tokens,
      window,
      filledBy: filledBy
        .filter(([, n]) => n > 0)
        .map(([tool, n]) => ({ tool, calls: n }))
        .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool))
        .slice(0, 3),
    });
  }

  private usageModel(): string {
    return this.ledger.tally().counted.at(-1)?.model ?? 'unknown';
  }

  result(): SessionDigest {
    const d = this.digest;
    d.day = Number.isFinite(d.startedAt) ? new Date(d.startedAt).toISOString().slice(0, 10) : '';
    d.filesChanged = this.changed.size;
    d.fileChanges = [...this.changed].map(([path, changes]) => ({ path, changes }));
    d.activeMs = this.active.ms;
    d.failurePairs = this.pairs.result();
    d.tools = [...this.tools.values()];
    d.agents = [...this.agents.values()];
    const counted = this.ledger.tally().counted;
    d.taskRuns = this.runs.result(counted);
    let todos = 0;
    for (const done of this.todos.values()) todos += done;
    d.tasks = { todos, subAgentRuns: d.taskRuns.filter((r) => r.success === true).length };
    const usage = new Map<string, DigestUsage>();
    for (const fact of counted) {
      const where = this.factAt.get(`${fact.source}\u0000${fact.key}`) ?? { phase: '', day: d.day };
      const key = `${fact.agent}\u0000${fact.model}\u0000${where.phase}\u0000${where.day}`;
      const row = entry(usage, key, () => ({
        agent: fact.agent,
        model: fact.model,
        ...where,
        responses: 0,
        tokens: { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 },
      }));
      row.responses += fact.responses;
      for (const k of ['input', 'output', 'cacheCreation', 'cacheCreation1h', 'cacheRead'] as const)
        row.tokens[k] += fact.tokens[k];
    }
    d.usage = [...usage.values()];
    return d;
  }
}

type Handler = (builder: DigestBuilder, event: AnySatEvent, at: number) => void;
const HANDLERS: Partial<Record<AnySatEvent['type'], Handler>> = {
  session_start: (b, e) => b.phase((e as SatEvent<'session_start'>).data.phase),
  phase: (b, e) => b.phase((e as SatEvent<'phase'>).data.phase),
  tool_usage: (b, e, at) => b.toolUse(e as SatEvent<'tool_usage'>, at),
  error: (b, e, at) => b.error(e as SatEvent<'error'>, at),
  file_operation: (b, e) => b.fileOperation(e as SatEvent<'file_operation'>),
  agent_invocation: (b, e, at) => b.invocation(e as SatEvent<'agent_invocation'>, at),
  context_snapshot: (b, e, at) => b.context(e as SatEvent<'context_snapshot'>, at),
};

/**
 * Reads one session's events (in `seq` order) into a {@link SessionDigest}: its errors with what
 * resolved each (the fix reported with it, else the first later successful call of the failed tool
 * by the same agent, named by the edit made in between when there was one), tool calls and
 * durations per tool and agent, sub-agent runs, token usage per agent and model (each response once,
 * through the usage ledger), and the context peak and limit hits. Undefined for a session with no events.
 *
 * @example
 * const digest = await digestSession(readSessionEvents(logsDir, 's1'));
 * digest?.errors.filter((e) => e.resolvedAt === null).length; // unresolved errors
 */
export async function digestSession(
  events: Iterable<AnySatEvent> | AsyncIterable<AnySatEvent>,
): Promise<SessionDigest | undefined> {
  let builder: DigestBuilder | undefined;
  for await (const event of events) {
    builder ??= new DigestBuilder(event.session);
    builder.add(event);
  }
  return builder?.result();
}
