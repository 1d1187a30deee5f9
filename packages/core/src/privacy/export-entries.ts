import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import type { EventType } from '../events/payloads.js';
import type { SessionUsage } from '../usage/session-usage.js';

/** What kind of line of a readable transcript an entry is. */
export type ExportEntryKind =
  | 'start'
  | 'prompt'
  | 'answer'
  | 'tool'
  | 'error'
  | 'subagent'
  | 'decision'
  | 'validation'
  | 'file'
  | 'note'
  | 'end';

/** One line of a readable transcript: who, when, what, and its text (already cut to size). */
export interface ExportEntry {
  ts: string;
  agent: string;
  kind: ExportEntryKind;
  /** One line: "Bash: npm test", "prompt", "sub-agent code-reviewer completed". */
  title: string;
  /** The longer text (a prompt, an answer, a tool's parameters or error), cut at {@link EXPORT_TEXT_LIMIT}. */
  text?: string;
  /** True for a failed tool call, an error, a failed check. */
  failed?: boolean;
}

/** A whole session, ready to lay out as Markdown or HTML. */
export interface SessionExportDocument {
  session: string;
  start?: string;
  end?: string;
  events: number;
  entries: ExportEntry[];
  usage: SessionUsage;
}

/** The longest text kept whole in an entry (prompts and answers); the rest is cut with a note. */
export const EXPORT_TEXT_LIMIT = 4000;
/** Tool parameters and results are cut shorter: they are mostly file contents and command output. */
const TOOL_TEXT_LIMIT = 1200;

/** `text` cut at `limit` characters, saying how much was left out. Pure. */
export function cutText(text: string, limit = EXPORT_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n… (${text.length - limit} more characters cut)`;
}

type Mapper<T extends EventType> = (event: SatEvent<T>) => Omit<ExportEntry, 'ts' | 'agent'> | undefined;

const toolTitle = (tool: string, parameters: Record<string, unknown> | undefined): string => {
  const first = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']
    .map((key) => parameters?.[key])
    .find((value) => typeof value === 'string') as string | undefined;
  return first ? `${tool}: ${first.split('\n')[0]!.slice(0, 120)}` : tool;
};

const MAPPERS: { [T in EventType]?: Mapper<T> } = {
  session_start: (e) => ({ kind: 'start', title: `session started${e.data.cwd ? ` in ${e.data.cwd}` : ''}` }),
  session_end: (e) => ({ kind: 'end', title: `session ended${e.data.reason ? ` (${e.data.reason})` : ''}` }),
  user_prompt: (e) => ({ kind: 'prompt', title: 'prompt', text: cutText(e.data.text) }),
  turn_end: (e) =>
    e.data.last_message ? { kind: 'answer', title: 'answer', text: cutText(e.data.last_message) } : undefined,
  tool_usage: (e) => ({
    kind: 'tool',
    title: `${toolTitle(e.data.tool, e.data.parameters)}${e.data.success ? '' : ' (failed)'}`,
    text: cutText(
      [
        e.data.parameters ? JSON.stringify(e.data.parameters, null, 2) : '',
        e.data.error ? `error: ${e.data.error}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      TOOL_TEXT_LIMIT,
    ),
    failed: !e.data.success,
  }),
  error: (e) => ({
    kind: 'error',
    title: `error: ${e.data.error_type}`,
    text: cutText(
      [e.data.message, e.data.attempted_fix && `attempted fix: ${e.data.attempted_fix}`]
        .filter(Boolean)
        .join('\n'),
      TOOL_TEXT_LIMIT,
    ),
    failed: true,
  }),
  agent_invocation: (e) => ({
    kind: 'subagent',
    title: `sub-agent ${e.data.agent} ${e.data.status ?? 'invoked'}${e.data.duration_ms ? ` after ${Math.round(e.data.duration_ms / 1000)} s` : ''}`,
    ...(e.data.reason ? { text: cutText(e.data.reason) } : {}),
    failed: e.data.status === 'failed' || e.data.success === false,
  }),
  decision: (e) => ({
    kind: 'decision',
    title: `decision: ${e.data.question.slice(0, 120)}`,
    text: cutText(`chose: ${e.data.selected}${e.data.rationale ? `\nwhy: ${e.data.rationale}` : ''}`),
  }),
  validation: (e) => ({
    kind: 'validation',
    title: `validation ${e.data.task}: ${e.data.result}`,
    text: e.data.checks
      .map((c) => `${c.passed ? 'pass' : 'FAIL'} ${c.name}${c.details ? `: ${c.details}` : ''}`)
      .join('\n'),
    failed: e.data.result !== 'pass',
  }),
  file_operation: (e) => ({ kind: 'file', title: `${e.data.operation} ${e.data.path}` }),
  notification: (e) => ({ kind: 'note', title: cutText(e.data.message, 300) }),
};

/**
 * The readable transcript of a session's events, in log order: prompts, answers, tool calls
 * (parameters and errors cut to size), errors, sub-agents, decisions, checks, file changes and
 * notifications. Token-only events (`api_response`) and sat's own bookkeeping are left out: their
 * sums are in the document's usage. Pure.
 *
 * @example
 * const entries = exportEntries(events);
 */
export function exportEntries(events: readonly AnySatEvent[]): ExportEntry[] {
  const out: ExportEntry[] = [];
  for (const event of events) {
    const mapper = MAPPERS[event.type] as Mapper<EventType> | undefined;
    const entry = mapper?.(event as SatEvent<EventType>);
    if (entry)
      out.push({
        ts: event.ts,
        agent: event.agent,
        ...entry,
        ...(entry.text === '' ? { text: undefined } : {}),
      });
  }
  return out;
}
