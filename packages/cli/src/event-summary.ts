import type { AnySatEvent, EventPayloads, EventType } from '@sat/core';

function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const opt = (value: unknown, text = `${value}`): string => (value === undefined || value === '' ? '' : text);

type Summaries = { [T in EventType]?: (data: EventPayloads[T]) => string };

/** One line per event type; a type without an entry is shown as clipped JSON. */
const SUMMARIES: Summaries = {
  tool_usage: (d) =>
    `${d.tool} ${d.success ? 'ok' : 'FAILED'}${opt(d.duration_ms, ` ${d.duration_ms}ms`)} ${d.parameters ? clip(JSON.stringify(d.parameters), 60) : ''}`,
  agent_invocation: (d) =>
    `${d.agent}${opt(d.status, ` ${d.status}`)}${d.reason ? `: ${clip(d.reason, 60)}` : ''}`,
  decision: (d) =>
    `${clip(d.question, 40)} -> ${d.selected}${d.rationale ? ` (${clip(d.rationale, 40)})` : ''}`,
  validation: (d) =>
    `${d.task}: ${d.result} (${d.checks.filter((c) => c.passed).length}/${d.checks.length} checks)`,
  error: (d) =>
    `${d.error_type}${d.message ? `: ${clip(d.message, 60)}` : ''}${d.fix_successful ? ' (fixed)' : ''}`,
  file_operation: (d) => `${d.operation} ${d.path}`,
  context_snapshot: (d) => `${d.tokens_before} -> ${d.tokens_after} tokens`,
  api_response: (d) =>
    `${d.model}: ${d.tokens.input} in, ${d.tokens.output} out, ${d.tokens.cacheRead} cache read${d.source === 'task_result' ? ' (estimate)' : ''}`,
  user_prompt: (d) => `"${clip(d.text, 70)}"`,
  turn_end: (d) => (d.last_message ? clip(d.last_message, 70) : 'turn ended'),
  notification: (d) => clip(d.message, 70),
  session_start: (d) =>
    [d.client, d.source, d.cwd && `in ${d.cwd}`, d.git_branch && `(branch ${d.git_branch})`]
      .filter(Boolean)
      .join(' ') || 'started',
  session_end: (d) => d.reason ?? 'ended',
  phase: (d) => `phase ${d.phase}${opt(d.name, `: ${d.name}`)}`,
  snapshot: (d) => `${d.snapshot_id} (${d.trigger})`,
  handoff: (d) => `${d.path}${opt(d.trigger, ` (${d.trigger})`)}`,
  backup: (d) => `to ${d.target}${opt(d.location, ` ${d.location}`)}${opt(d.trigger, ` (${d.trigger})`)}`,
};

/**
 * A one-line summary of an event's payload, as `sat events` and `sat recover` print it.
 *
 * @example
 * summarize(event); // 'Bash ok 120ms {"command":"ls"}'
 */
export function summarize(event: AnySatEvent): string {
  const summary = SUMMARIES[event.type] as ((data: unknown) => string) | undefined;
  return summary ? summary(event.data) : clip(JSON.stringify(event.data), 80);
}
