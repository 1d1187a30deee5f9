import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import {
  alertCompaction,
  alertContextReading,
  alertEvent,
  alertWindowCall,
  alertWindowError,
} from './alert-state.js';
import {
  type AgentRunState,
  type AgentTally,
  type CostedBucket,
  type FileState,
  type OpenError,
  type OtelResponse,
  type RecentResponse,
  type SessionState,
  STATE_LIMITS,
  type TodoItem,
  type TokenBucket,
} from './session-state.js';

/** Characters kept of the first prompt (the goal). */
export const GOAL_CHARS = 2000;
const PROMPT_CHARS = 500;
const MESSAGE_CHARS = 1500;
const ERROR_CHARS = 300;
const SHORT_CHARS = 200;
/** Event types sat writes about its own work: they are not activity of the session. */
const BOOKKEEPING: ReadonlySet<string> = new Set(['snapshot', 'handoff', 'backup', 'alert']);
/** The model the importer records when a response names none. */
const UNKNOWN_MODEL = 'unknown';

/**
 * Copy-on-write access to the state's containers. A replay that owns its state (a fresh copy)
 * edits in place; {@link reduceSession} copies each container it changes, so the caller's state
 * is never modified. Both run the same code below.
 */
class Draft {
  constructor(private readonly owned: boolean) {}

  /** `parent[key]`, copied into `parent` first unless owned. */
  edit<P extends object, K extends keyof P>(parent: P, key: K): P[K] {
    if (this.owned) return parent[key];
    const value = parent[key];
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as P[K];
    parent[key] = copy;
    return copy;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** What identifies a tool call's target: its command, path, pattern or URL. */
function callTarget(parameters: Record<string, unknown> | undefined): string {
  if (!parameters) return '';
  for (const key of ['command', 'file_path', 'notebook_path', 'path', 'pattern', 'url', 'query']) {
    const value = parameters[key];
    if (typeof value === 'string') return clip(value, SHORT_CHARS);
  }
  return '';
}

function emptyBucket(): TokenBucket {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, cacheCreation1h: 0, responses: 0 };
}

function tally(byAgent: Record<string, AgentTally>, agent: string): AgentTally {
  return byAgent[agent] ?? { invocations: 0, completed: 0, failed: 0, durationMs: 0 };
}

/**
 * Folds one event into a session's state and returns the new state; `state` is not modified
 * (containers that change are copied, the rest is shared). Pure and deterministic: the same
 * events give the same state, whether folded one by one from {@link emptySessionState} or from a
 * snapshot's state. Events of another session, and events at or below `state.lastSeq`, are
 * ignored (so replaying an overlapping range changes nothing).
 *
 * What it keeps: agents run (a start and its end joined by `tool_use_id`, else `agent_id`) and
 * still running; the latest TodoWrite list per agent; files changed; decisions; open errors
 * (error events not followed by a `fix_successful` one of the same type, and failed tool calls
 * not followed by a successful call of the same tool on the same target) and failed validations;
 * tokens by agent and model (a `task_result` estimate only while its agent has no transcript response);
 * the main agent's context fill; the latest alert of each kind and whether it still holds, and the
 * error-spike window; prompts (the first is the goal); last assistant messages; phase,
 * start, end and the last snapshot and handoff.
 *
 * @example
 * let state = emptySessionState('s1');
 * for await (const event of readSessionEvents(logsDir, 's1')) state = reduceSession(state, event);
 */
export function reduceSession(state: SessionState, event: AnySatEvent): SessionState {
  return apply(state, event, false);
}

/**
 * Like {@link reduceSession}, but edits `state` in place and returns it: for replays that own
 * their state (a fresh {@link emptySessionState} or a state parsed from a snapshot). Not exported
 * from the package.
 */
export function reduceSessionInPlace(state: SessionState, event: AnySatEvent): SessionState {
  return apply(state, event, true);
}

function apply(state: SessionState, event: AnySatEvent, owned: boolean): SessionState {
  if (event.session !== state.session || event.seq <= state.lastSeq) return state;
  const s: SessionState = owned ? state : { ...state };
  const d = new Draft(owned);
  s.lastSeq = event.seq;
  s.events++;
  const counts = d.edit(s, 'counts');
  counts[event.type] = (counts[event.type] ?? 0) + 1;
  s.start ??= event.ts;
  s.lastEventAt = event.ts;
  if (!BOOKKEEPING.has(event.type)) s.lastActivityAt = event.ts;
  switch (event.type) {
    case 'session_start':
      sessionStart(s, event);
      break;
    case 'session_end':
      s.ended = true;
      s.end = event.ts;
      s.endSeq = event.seq;
      if (event.data.reason !== undefined) s.endReason = event.data.reason;
      else delete s.endReason;
      break;
    case 'phase':
      s.phase = { value: event.data.phase, seq: event.seq };
      if (event.data.name !== undefined) s.phase.name = event.data.name;
      break;
    case 'snapshot':
      s.lastSnapshot = {
        id: event.data.snapshot_id,
        trigger: event.data.trigger,
        seq: event.seq,
        ts: event.ts,
      };
      if (event.data.at_seq !== undefined) s.lastSnapshot.atSeq = event.data.at_seq;
      break;
    case 'backup':
      s.lastBackup = { target: event.data.target, seq: event.seq, ts: event.ts };
      if (event.data.trigger !== undefined) s.lastBackup.trigger = event.data.trigger;
      break;
    case 'handoff':
      s.lastHandoff = { path: event.data.path, seq: event.seq, ts: event.ts };
      if (event.data.trigger !== undefined) s.lastHandoff.trigger = event.data.trigger;
      if (event.data.tokens !== undefined) s.lastHandoff.tokens = event.data.tokens;
      break;
    case 'alert':
      alertEvent(s, event);
      break;
    case 'user_prompt': {
      const prompt = {
        seq: event.seq,
        ts: event.ts,
        text: clip(event.data.text, PROMPT_CHARS),
        chars: event.data.chars,
      };
      if (!s.goal) s.goal = { ...prompt, text: clip(event.data.text, GOAL_CHARS) };
      s.prompts++;
      s.recentPrompts = [...s.recentPrompts, prompt].slice(-STATE_LIMITS.recentPrompts);
      break;
    }
    case 'turn_end':
      if (event.data.last_message) {
        s.lastMessages = [
          ...s.lastMessages,
          {
            seq: event.seq,
            ts: event.ts,
            agent: event.agent,
            text: clip(event.data.last_message, MESSAGE_CHARS),
          },
        ].slice(-STATE_LIMITS.lastMessages);
      }
      break;
    case 'api_response':
      apiResponse(s, d, event);
      break;
    case 'agent_invocation':
      agentInvocation(s, d, event);
      break;
    case 'tool_usage':
      toolUsage(s, d, event);
      alertWindowCall(s, event.seq);
      break;
    case 'error':
      errorEvent(s, d, event);
      alertWindowError(s, event.seq);
      break;
    case 'validation': {
      const v = d.edit(s, 'validations');
      v.count++;
      const others = v.failed.filter((f) => f.task !== event.data.task);
      if (event.data.result === 'pass') v.failed = others;
      else {
        others.push({
          seq: event.seq,
          ts: event.ts,
          agent: event.agent,
          task: clip(event.data.task, SHORT_CHARS),
          result: event.data.result,
          failedChecks: event.data.checks
            .filter((c) => !c.passed)
            .slice(0, 10)
            .map((c) => clip(c.name, 100)),
        });
        v.failed = others.slice(-STATE_LIMITS.failedValidations);
      }
      break;
    }
    case 'decision': {
      const decisions = d.edit(s, 'decisions');
      decisions.count++;
      const data = event.data;
      const entry: SessionState['decisions']['recent'][number] = {
        seq: event.seq,
        ts: event.ts,
        agent: event.agent,
        question: clip(data.question, SHORT_CHARS),
        selected: clip(data.selected, SHORT_CHARS),
      };
      if (data.options) entry.options = data.options.slice(0, 10).map((o) => clip(o, 80));
      if (data.rationale) entry.rationale = clip(data.rationale, ERROR_CHARS);
      decisions.recent = [...decisions.recent, entry].slice(-STATE_LIMITS.recentDecisions);
      break;
    }
    case 'file_operation':
      fileOperation(s, d, event);
      break;
    case 'context_snapshot': {
      const c = d.edit(s, 'compaction');
      const data = event.data;
      if (data.trigger?.startsWith('pre-compact')) {
        c.count++;
        c.lastPreCompactSeq = event.seq;
        alertCompaction(s);
      }
      c.last = { seq: event.seq, ts: event.ts };
      if (data.trigger !== undefined) c.last.trigger = data.trigger;
      if (data.tokens_before !== undefined) c.last.tokensBefore = data.tokens_before;
      if (data.tokens_after !== undefined) c.last.tokensAfter = data.tokens_after;
      break;
    }
    default:
      break;
  }
  return s;
}

function sessionStart(s: SessionState, event: SatEvent<'session_start'>): void {
  const data = event.data;
  if (data.client) s.client = data.client;
  if (data.cwd) s.cwd = data.cwd;
  if (data.model) s.model = data.model;
  if (data.git_branch) s.gitBranch = data.git_branch;
  if (data.phase !== undefined) s.phase = { value: data.phase, seq: event.seq };
  const transcript = str(event.meta?.transcript);
  if (transcript) s.transcript = transcript;
  if (s.ended) {
    // Resumed after an end.
    s.ended = false;
    delete s.end;
    delete s.endSeq;
    delete s.endReason;
  }
}

function apiResponse(s: SessionState, d: Draft, event: SatEvent<'api_response'>): void {
  const data = event.data;
  if (data.source === 'otel') {
    otelResponse(s, d, event);
    return;
  }
  const t = data.tokens;
  const tokens = d.edit(s, 'tokens');
  const recent = d.edit(tokens, 'recent');
  const key = `${data.source}\u0000${data.message_id}\u0000${data.request_id ?? ''}`;
  const bucketKey = data.source === 'task_result' ? (data.agent_id ?? '-') : '';
  const oneHour = Math.min(data.cache_creation_1h ?? 0, t.cacheCreation);
  const at = recent.findLastIndex((r) => r[0] === key);
  const next: RecentResponse = [
    key,
    data.model,
    bucketKey,
    t.input,
    t.output,
    t.cacheCreation,
    t.cacheRead,
    oneHour,
    event.agent,
  ];
  if (at >= 0) {
    // The same response again: keep its larger figures (and its model, once known).
    const old = recent[at]!;
    for (let i = 3; i <= 7; i++) next[i] = Math.max(old[i] as number, next[i] as number);
    next[2] = old[2];
    next[8] = old[8];
    if (old[1] !== UNKNOWN_MODEL || data.model === UNKNOWN_MODEL) next[1] = old[1];
    if (old[9] !== undefined) next[9] = old[9];
    recent[at] = next;
    addToBucket(tokens, d, old, -1);
    addToBucket(tokens, d, next, 1);
  } else {
    const pending = data.source === 'transcript' ? takePending(tokens, d, data.request_id) : undefined;
    if (pending && pending[7] !== null) next[9] = pending[7];
    recent.push(next);
    if (recent.length > STATE_LIMITS.responseWindow) recent.shift();
    addToBucket(tokens, d, next, 1);
  }
  if (data.source === 'transcript' && data.agent_id !== undefined) {
    if (!tokens.transcriptAgents.includes(data.agent_id))
      tokens.transcriptAgents = [...tokens.transcriptAgents, data.agent_id].sort();
  }
  const used = t.input + t.cacheRead + t.cacheCreation;
  if (event.agent === 'main' && data.source === 'transcript' && data.agent_id === undefined && used > 0) {
    s.context = { model: data.model, tokens: used, seq: event.seq, ts: event.ts };
    alertContextReading(s, used);
  }
}

/** The request id of a remembered transcript response (the last part of its key), else undefined. */
function transcriptRequestId(r: RecentResponse): string | undefined {
  if (r[2] !== '' || !r[0].startsWith('transcript\u0000')) return undefined;
  const id = r[0].slice(r[0].lastIndexOf('\u0000') + 1);
  return id === '' ? undefined : id;
}

/** Removes and returns Claude Code's pending record of `requestId`, if there is one. */
function takePending(tokens: SessionState['tokens'], d: Draft, requestId: string | undefined) {
  if (requestId === undefined) return undefined;
  const at = tokens.otelPending.findIndex((p) => p[0] === requestId);
  if (at < 0) return undefined;
  const pending = d.edit(tokens, 'otelPending');
  return pending.splice(at, 1)[0];
}

/**
 * Claude Code's own record of an API request (`source: 'otel'`). The transcript's response of the
 * same request id, when remembered, keeps its tokens and takes the record's cost; else the record
 * waits in `otelPending` (counted on its own) for that response, which then replaces it.
 */
function otelResponse(s: SessionState, d: Draft, event: SatEvent<'api_response'>): void {
  const data = event.data;
  const tokens = d.edit(s, 'tokens');
  const rid = data.request_id;
  const t = data.tokens;
  const record: OtelResponse = [
    rid ?? '',
    data.model,
    event.agent,
    t.input,
    t.output,
    t.cacheCreation,
    t.cacheRead,
    data.cost_usd ?? null,
  ];
  if (rid === undefined) {
    foldOtel(tokens, d, record);
    return;
  }
  const joined = tokens.recent.findLastIndex((r) => transcriptRequestId(r) === rid);
  if (joined >= 0) {
    const old = tokens.recent[joined]!;
    if (old[9] !== undefined || record[7] === null) return;
    const recent = d.edit(tokens, 'recent');
    const next: RecentResponse = [...old];
    next[9] = record[7];
    recent[joined] = next;
    addToBucket(tokens, d, old, -1);
    addToBucket(tokens, d, next, 1);
    return;
  }
  const pending = d.edit(tokens, 'otelPending');
  const seen = pending.findIndex((p) => p[0] === rid);
  if (seen >= 0) pending[seen] = record;
  else pending.push(record);
  if (pending.length > STATE_LIMITS.otelPending) foldOtel(tokens, d, pending.shift()!);
}

/** Counts a record for good: with its cost in `otelOnly`, without one among the priced responses. */
function foldOtel(tokens: SessionState['tokens'], d: Draft, record: OtelResponse): void {
  const [, model, agent, input, output, cacheCreation, cacheRead, costUsd] = record;
  const byAgent = d.edit(tokens, costUsd === null ? 'byAgent' : 'otelOnly');
  const models = { ...(byAgent[agent] ?? {}) };
  byAgent[agent] = models;
  const b = models[model] ?? { ...emptyBucket(), costUsd: 0 };
  models[model] = {
    ...b,
    input: b.input + input,
    output: b.output + output,
    cacheCreation: b.cacheCreation + cacheCreation,
    cacheRead: b.cacheRead + cacheRead,
    responses: b.responses + 1,
    ...(costUsd === null ? {} : { costUsd: ((b as CostedBucket).costUsd ?? 0) + costUsd }),
  };
}

/** Adds a remembered response (`sign` 1) to its bucket, or takes it back out (`sign` -1). */
function addToBucket(tokens: SessionState['tokens'], d: Draft, r: RecentResponse, sign: 1 | -1): void {
  const [, model, bucketKey, input, output, cacheCreation, cacheRead, cacheCreation1h, agent, costUsd] = r;
  let byAgent: Record<string, Record<string, TokenBucket>>;
  if (costUsd !== undefined) byAgent = d.edit(tokens, 'costed');
  else if (bucketKey === '') byAgent = d.edit(tokens, 'byAgent');
  else {
    const estimates = d.edit(tokens, 'estimates');
    byAgent = { ...(estimates[bucketKey] ?? {}) };
    estimates[bucketKey] = byAgent;
  }
  const models = { ...(byAgent[agent] ?? {}) };
  byAgent[agent] = models;
  const b = models[model] ?? emptyBucket();
  const sum: TokenBucket = {
    input: b.input + sign * input,
    output: b.output + sign * output,
    cacheCreation: b.cacheCreation + sign * cacheCreation,
    cacheRead: b.cacheRead + sign * cacheRead,
    cacheCreation1h: b.cacheCreation1h + sign * cacheCreation1h,
    responses: b.responses + sign,
  };
  if (costUsd !== undefined)
    (sum as CostedBucket).costUsd = ((b as CostedBucket).costUsd ?? 0) + sign * costUsd;
  if (sum.responses > 0) models[model] = sum;
  else delete models[model];
}

function agentInvocation(s: SessionState, d: Draft, event: SatEvent<'agent_invocation'>): void {
  const data = event.data;
  const agents = d.edit(s, 'agents');
  const running = d.edit(agents, 'running');
  const byAgent = d.edit(agents, 'byAgent');
  const finished =
    data.status === 'completed' ||
    data.status === 'failed' ||
    (data.status === undefined && data.success !== undefined);
  let at = -1;
  if (data.tool_use_id !== undefined) at = running.findIndex((r) => r.toolUseId === data.tool_use_id);
  if (at < 0 && data.agent_id !== undefined) at = running.findIndex((r) => r.agentId === data.agent_id);

  const newRun = (): AgentRunState => {
    const run: AgentRunState = {
      key: data.tool_use_id ?? data.agent_id ?? event.id,
      agent: data.agent,
      status: 'running',
      startSeq: event.seq,
      startedAt: event.ts,
    };
    if (data.invoked_by !== undefined) run.invokedBy = data.invoked_by;
    if (data.reason) run.reason = clip(data.reason, SHORT_CHARS);
    if (data.agent_id !== undefined) run.agentId = data.agent_id;
    if (data.tool_use_id !== undefined) run.toolUseId = data.tool_use_id;
    if (data.model !== undefined) run.model = data.model;
    agents.invocations++;
    const t = tally(byAgent, data.agent);
    byAgent[data.agent] = { ...t, invocations: t.invocations + 1 };
    return run;
  };

  if (!finished) {
    if (at >= 0) {
      // The same start again (captured by a hook and imported from the transcript): fill gaps.
      const run = { ...running[at]! };
      if (run.reason === undefined && data.reason) run.reason = clip(data.reason, SHORT_CHARS);
      if (run.agentId === undefined && data.agent_id !== undefined) run.agentId = data.agent_id;
      if (run.model === undefined && data.model !== undefined) run.model = data.model;
      running[at] = run;
      return;
    }
    running.push(newRun());
    if (running.length > STATE_LIMITS.runningAgents) {
      running.shift();
      agents.runningDropped++;
    }
    return;
  }

  let run: AgentRunState;
  if (at >= 0) {
    run = running[at]!;
    running.splice(at, 1);
  } else {
    const again = agents.recent.some(
      (r) =>
        (data.tool_use_id !== undefined && r.toolUseId === data.tool_use_id) ||
        (data.agent_id !== undefined && r.agentId === data.agent_id),
    );
    if (again) return; // the same end recorded twice
    run = newRun();
  }
  const status = data.status === 'failed' || data.success === false ? 'failed' : 'completed';
  const done: AgentRunState = { ...run, status, endSeq: event.seq, endedAt: event.ts };
  if (data.duration_ms !== undefined) done.durationMs = data.duration_ms;
  if (data.tokens !== undefined) done.tokens = data.tokens;
  if (data.model !== undefined) done.model = data.model;
  if (done.agentId === undefined && data.agent_id !== undefined) done.agentId = data.agent_id;
  if (done.reason === undefined && data.reason) done.reason = clip(data.reason, SHORT_CHARS);
  const t = tally(byAgent, run.agent);
  byAgent[run.agent] = {
    ...t,
    completed: t.completed + (status === 'completed' ? 1 : 0),
    failed: t.failed + (status === 'failed' ? 1 : 0),
    durationMs: t.durationMs + (done.durationMs ?? 0),
  };
  agents.recent = [...agents.recent, done].slice(-STATE_LIMITS.recentAgentRuns);
}

function toolUsage(s: SessionState, d: Draft, event: SatEvent<'tool_usage'>): void {
  const data = event.data;
  const tools = d.edit(s, 'tools');
  const t = tools[data.tool] ?? { uses: 0, failures: 0, durationMs: 0 };
  tools[data.tool] = {
    uses: t.uses + 1,
    failures: t.failures + (data.success ? 0 : 1),
    durationMs: t.durationMs + (data.duration_ms ?? 0),
  };
  if (data.tool === 'TodoWrite' && data.success) todoWrite(s, d, event);
  if (event.agent !== 'main' && s.agents.running.length > 0) countRunTool(s, d, event);
  const callKey = `${data.tool}:${callTarget(data.parameters)}`;
  const errors = d.edit(s, 'errors');
  if (data.success) {
    if (errors.open.some((e) => e.callKey === callKey))
      errors.open = errors.open.filter((e) => e.callKey !== callKey);
    return;
  }
  const open = d.edit(errors, 'open');
  const same = data.tool_use_id === undefined ? -1 : open.findIndex((e) => e.toolUseId === data.tool_use_id);
  if (same >= 0) {
    open[same] = { ...open[same]!, source: 'tool', tool: data.tool, callKey };
    return;
  }
  errors.count++;
  const entry: OpenError = {
    seq: event.seq,
    ts: event.ts,
    agent: event.agent,
    source: 'tool',
    errorType: data.tool,
    tool: data.tool,
    callKey,
  };
  if (data.error) entry.message = clip(data.error, ERROR_CHARS);
  if (data.tool_use_id !== undefined) entry.toolUseId = data.tool_use_id;
  pushOpen(errors, open, entry);
}

/** Adds a tool call to the running run it was made in: by `meta.agent_id`, else the only run of its agent. */
function countRunTool(s: SessionState, d: Draft, event: SatEvent<'tool_usage'>): void {
  const agentId = event.meta?.agent_id;
  let at = typeof agentId === 'string' ? s.agents.running.findIndex((r) => r.agentId === agentId) : -1;
  if (at < 0) {
    const same = s.agents.running.filter((r) => r.agent === event.agent);
    if (same.length !== 1) return;
    at = s.agents.running.indexOf(same[0]!);
  }
  const running = d.edit(d.edit(s, 'agents'), 'running');
  const run = running[at]!;
  running[at] = { ...run, tools: (run.tools ?? 0) + 1 };
}

function pushOpen(errors: SessionState['errors'], open: OpenError[], entry: OpenError): void {
  open.push(entry);
  if (open.length > STATE_LIMITS.openErrors) {
    open.shift();
    errors.openDropped++;
  }
}

function errorEvent(s: SessionState, d: Draft, event: SatEvent<'error'>): void {
  const data = event.data;
  const errors = d.edit(s, 'errors');
  if (data.fix_successful === true) {
    errors.count++;
    errors.open = errors.open.filter(
      (e) =>
        e.errorType !== data.error_type &&
        (data.tool_use_id === undefined || e.toolUseId !== data.tool_use_id),
    );
    return;
  }
  const open = d.edit(errors, 'open');
  const message = data.message ?? (typeof data.context === 'string' ? data.context : undefined) ?? undefined;
  const same = data.tool_use_id === undefined ? -1 : open.findIndex((e) => e.toolUseId === data.tool_use_id);
  if (same >= 0) {
    // The error event of a failed tool call already listed.
    const merged: OpenError = { ...open[same]!, errorType: data.error_type };
    if (merged.message === undefined && message) merged.message = clip(message, ERROR_CHARS);
    if (data.attempted_fix) merged.attemptedFix = clip(data.attempted_fix, SHORT_CHARS);
    open[same] = merged;
    return;
  }
  errors.count++;
  const entry: OpenError = {
    seq: event.seq,
    ts: event.ts,
    agent: event.agent,
    source: 'error',
    errorType: data.error_type,
  };
  if (message) entry.message = clip(message, ERROR_CHARS);
  if (data.tool_use_id !== undefined) entry.toolUseId = data.tool_use_id;
  if (data.attempted_fix) entry.attemptedFix = clip(data.attempted_fix, SHORT_CHARS);
  const context = data.context;
  if (typeof context === 'object' && typeof context.tool === 'string') entry.tool = context.tool;
  pushOpen(errors, open, entry);
}

function todoWrite(s: SessionState, d: Draft, event: SatEvent<'tool_usage'>): void {
  const list = event.data.parameters?.todos;
  if (!Array.isArray(list)) return;
  const items: TodoItem[] = [];
  let dropped = 0;
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue;
    const item = raw as Record<string, unknown>;
    const content = str(item.content);
    if (!content) continue;
    if (items.length >= STATE_LIMITS.todoItems) {
      dropped++;
      continue;
    }
    const todo: TodoItem = { content: clip(content, 300), status: str(item.status) ?? 'pending' };
    const activeForm = str(item.activeForm);
    if (activeForm) todo.activeForm = clip(activeForm, 300);
    items.push(todo);
  }
  const todos = d.edit(s, 'todos');
  todos[event.agent] = { seq: event.seq, ts: event.ts, items, dropped };
}

function fileOperation(s: SessionState, d: Draft, event: SatEvent<'file_operation'>): void {
  const data = event.data;
  if (data.operation === 'read') return;
  const files = d.edit(s, 'files');
  let previous: FileState | undefined = files[data.path];
  if (data.operation === 'rename' && data.from_path !== undefined && data.from_path !== data.path) {
    previous ??= files[data.from_path];
    delete files[data.from_path];
  }
  const entry: FileState = {
    path: data.path,
    operation: data.operation,
    operations: (previous?.operations ?? 0) + 1,
    agent: event.agent,
    firstSeq: previous?.firstSeq ?? event.seq,
    lastSeq: event.seq,
    lastAt: event.ts,
  };
  if (data.git_hash !== undefined && data.operation !== 'delete') entry.gitHash = data.git_hash;
  if (data.bytes !== undefined) entry.bytes = data.bytes;
  if (data.from_path !== undefined) entry.fromPath = data.from_path;
  files[data.path] = entry;
}
