import { openLogStream } from './event-reader.js';
import { splitLines } from './line-splitter.js';
import { sessionLogFiles } from './log-files.js';

const ID_PREFIX = Buffer.from('{"id":"');
const TYPE_FIELD = Buffer.from(',"type":"');
const TOOL_USE_FIELD = Buffer.from('"tool_use_id":"');
const AGENT_INVOCATION = 'agent_invocation';
const TOOL_USAGE = 'tool_usage';

/** A sub-agent run the log already knows about (from its `agent_invocation` events). */
export interface KnownAgent {
  /** The sub-agent's name (`data.agent`, e.g. `Plan`). */
  agent: string;
  /**
   * The id of the invocation event sub-agent events belong under: the `started` event of the same
   * tool call when there is one, else the first event that named this `agent_id`.
   */
  invocationId: string;
}

/** What a session's log already holds, for idempotent capture and import. */
export interface KnownEvents {
  /** Every event id. */
  ids: Set<string>;
  /** `<type>:<tool_use_id>` of every event derived from a tool call (in `data` or `meta`). */
  toolUses: Set<string>;
  /**
   * Tool calls already recorded, as `start:<tool_use_id>` (a sub-agent's `agent_invocation`
   * with status `started`) and `call:<tool_use_id>` (any other event of the call: its
   * `tool_usage`, `error`, `file_operation`, `decision`, finished `agent_invocation`). A capture
   * path writes a call's events only when its key is not known yet.
   */
  toolCalls: Set<string>;
  /** Events per type (`session_start` -> 1, ...). */
  types: Map<string, number>;
  /** Sub-agent runs by `agent_id`, from the `agent_invocation` events that carry one. */
  agents: Map<string, KnownAgent>;
  /** {@link promptJoinKey} of every `user_prompt` event. */
  prompts: Set<string>;
  /** The time spans of every `tool_usage` event, by `toolJoinKey`: joins calls that lack a `tool_use_id`. */
  toolSpans: Map<string, ToolSpan[]>;
}

/** When a recorded `tool_usage` ran (ms), and whether it carries a `tool_use_id`. */
export interface ToolSpan {
  from: number;
  to: number;
  identified: boolean;
}

/**
 * The key that joins a tool call captured by a hook without a `tool_use_id` (older Claude Code
 * versions) with the same call from the transcript: its tool and its summarized parameters.
 *
 * @example
 * toolJoinKey('Bash', { command: 'ls' }) // 'Bash:{"command":"ls"}'
 */
export function toolJoinKey(tool: string, parameters: unknown): string {
  return `${tool}:${JSON.stringify(parameters ?? null)}`;
}

/** How far (ms) a hook's capture time may fall before a call's start or after its end and still be that call. */
const JOIN_SLACK = { before: 2_000, after: 30_000 };

/**
 * True when one of `spans` (only those with a `tool_use_id` when `identified`, only those
 * without when false) ran around `from`..`to`: the same call recorded by the other source.
 *
 * @example
 * toolSpanJoins(known.toolSpans.get(key), Date.parse(ts), Date.parse(ts), true);
 */
export function toolSpanJoins(
  spans: readonly ToolSpan[] | undefined,
  from: number,
  to: number,
  identified: boolean,
): boolean {
  return (spans ?? []).some(
    (span) =>
      span.identified === identified &&
      to >= span.from - JOIN_SLACK.before &&
      from <= span.to + JOIN_SLACK.after,
  );
}

const STATUS_FIELD = Buffer.from('"status":"');

/**
 * The key that joins a prompt captured by a hook with the same prompt imported from the
 * transcript: its full length and its first 200 characters.
 *
 * @example
 * promptJoinKey('fix the tests', 13) // '13:fix the tests'
 */
export function promptJoinKey(text: string, chars: number): string {
  return `${chars}:${text.slice(0, 200)}`;
}

function stringAt(bytes: Buffer, field: Buffer, from = 0): string | undefined {
  const at = bytes.indexOf(field, from);
  if (at === -1) return undefined;
  const start = at + field.length;
  const end = bytes.indexOf(0x22, start);
  return end > start ? bytes.toString('utf8', start, end) : undefined;
}

function noteToolSpan(known: KnownEvents, data: Record<string, unknown>, ts: unknown): void {
  const from = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
  if (typeof data.tool !== 'string' || Number.isNaN(from)) return;
  const duration = typeof data.duration_ms === 'number' ? data.duration_ms : 0;
  const key = toolJoinKey(data.tool, data.parameters);
  const spans = known.toolSpans.get(key) ?? [];
  spans.push({ from, to: from + duration, identified: typeof data.tool_use_id === 'string' });
  known.toolSpans.set(key, spans);
}

/** Notes what a parsed `agent_invocation`, `user_prompt` or `tool_usage` line says. */
function noteParsed(
  known: KnownEvents,
  startedByToolUse: Map<string, string>,
  id: string,
  type: string,
  bytes: Buffer,
): void {
  let data: Record<string, unknown>;
  let ts: unknown;
  try {
    const event = JSON.parse(bytes.toString('utf8')) as { data?: unknown; ts?: unknown };
    if (typeof event.data !== 'object' || event.data === null) return;
    data = event.data as Record<string, unknown>;
    ts = event.ts;
  } catch {
    return;
  }
  if (type === 'user_prompt') {
    if (typeof data.text === 'string' && typeof data.chars === 'number')
      known.prompts.add(promptJoinKey(data.text, data.chars));
    return;
  }
  if (type === TOOL_USAGE) {
    noteToolSpan(known, data, ts);
    return;
  }
  const toolUseId = typeof data.tool_use_id === 'string' ? data.tool_use_id : undefined;
  if (toolUseId && data.status === 'started' && !startedByToolUse.has(toolUseId))
    startedByToolUse.set(toolUseId, id);
  const agentId = typeof data.agent_id === 'string' ? data.agent_id : undefined;
  const agent = typeof data.agent === 'string' ? data.agent : undefined;
  if (agentId && agent && !known.agents.has(agentId)) {
    known.agents.set(agentId, {
      agent,
      invocationId: (toolUseId && startedByToolUse.get(toolUseId)) || id,
    });
  }
}

/** A record of no events yet (what a new session's log holds). */
export function emptyKnownEvents(): KnownEvents {
  return {
    ids: new Set(),
    toolUses: new Set(),
    toolCalls: new Set(),
    types: new Map(),
    agents: new Map(),
    prompts: new Set(),
    toolSpans: new Map(),
  };
}

/**
 * The ids, the tool calls, the event types, the sub-agent runs and the prompts of every event
 * already in a session's log, read without parsing (the writer always puts `id` first and `type`
 * soon after; only `agent_invocation`, `user_prompt` and `tool_usage` lines are parsed). Capture and
 * import skip an event whose deterministic id is known, or whose tool call is known: the join
 * that keeps a session captured by hooks and also imported from its transcript from counting
 * twice.
 *
 * @example
 * const known = await loadKnownEvents('.claude/logs', session);
 * if (!known.ids.has(id) && !known.toolCalls.has(`call:${toolUseId}`)) writer.append(event);
 */
export async function loadKnownEvents(logsDir: string, session: string): Promise<KnownEvents> {
  const files = sessionLogFiles(logsDir, session);
  const known = emptyKnownEvents();
  const log = openLogStream(files);
  if (!log) return known;
  const { stream, source } = log;
  const startedByToolUse = new Map<string, string>();
  try {
    for await (const line of splitLines(source)) {
      if (!line.bytes.subarray(0, ID_PREFIX.length).equals(ID_PREFIX)) continue;
      const id = stringAt(line.bytes, ID_PREFIX);
      if (!id) continue;
      known.ids.add(id);
      const type = stringAt(line.bytes, TYPE_FIELD);
      if (type) known.types.set(type, (known.types.get(type) ?? 0) + 1);
      const toolUseId = stringAt(line.bytes, TOOL_USE_FIELD);
      if (toolUseId && type) {
        known.toolUses.add(`${type}:${toolUseId}`);
        const started = type === AGENT_INVOCATION && stringAt(line.bytes, STATUS_FIELD) === 'started';
        known.toolCalls.add(`${started ? 'start' : 'call'}:${toolUseId}`);
      }
      if (type === AGENT_INVOCATION || type === 'user_prompt' || type === TOOL_USAGE)
        noteParsed(known, startedByToolUse, id, type, line.bytes);
    }
  } catch {
    // A corrupt compressed log: what was read so far is what is known.
  } finally {
    stream.destroy();
  }
  return known;
}
