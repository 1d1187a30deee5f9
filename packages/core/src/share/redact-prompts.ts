import type { AnySatEvent } from '../events/envelope.js';
import { isObject } from '../guards.js';

/** What `--redact-prompts` writes where a required text field was dropped. */
export const REDACTED_TEXT = '[redacted]';

/** Tool parameters that carry prompt or response text (written content, edits, questions). */
const TEXT_PARAMETERS = [
  'prompt',
  'content',
  'new_string',
  'old_string',
  'edits',
  'new_source',
  'text',
  'message',
  'questions',
  'answers',
  'todos',
];

/** Attributes of Claude Code's OpenTelemetry records that carry prompt or tool text. */
const TEXT_ATTRIBUTES = ['prompt', 'tool_input', 'tool_output', 'tool_result', 'tool_parameters', 'content'];

function without(record: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (!isObject(record)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}

function redactMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta || !isObject(meta.otel) || !isObject(meta.otel.attributes)) return meta;
  return { ...meta, otel: { ...meta.otel, attributes: without(meta.otel.attributes, TEXT_ATTRIBUTES) } };
}

type Redactor = (data: Record<string, unknown>) => Record<string, unknown>;

/** Per event type: the payload with its prompt and response text dropped (documented in docs/sharing.md). */
const REDACTORS: Partial<Record<AnySatEvent['type'], Redactor>> = {
  user_prompt: (d) => ({ ...without(d, ['text', 'command']), text: '' }),
  turn_end: (d) => without(d, ['last_message'])!,
  agent_invocation: (d) => without(d, ['context', 'reason'])!,
  tool_usage: (d) => {
    const out = without(d, ['error'])!;
    if (isObject(d.parameters)) out.parameters = without(d.parameters, TEXT_PARAMETERS);
    return out;
  },
  error: (d) => without(d, ['message', 'context', 'attempted_fix'])!,
  decision: (d) => ({
    ...without(d, ['options', 'rationale', 'context']),
    question: REDACTED_TEXT,
    selected: '',
  }),
};

/**
 * The event with the text of prompts and responses dropped, for `sat share --redact-prompts`:
 * user prompts' text (its length in `chars` stays) and command, the assistant's last message of a
 * turn, a sub-agent's prompt and reason (`context`), the text-carrying tool parameters (written
 * content, edits, prompts, questions), a failed tool's output (`error`), error messages and
 * context, decisions' question, answer and rationale, and the same attributes of OpenTelemetry
 * records. Ids, times, types, agents, tools, file paths, commands, token counts and costs stay, so
 * every figure is the same. Other events are returned as they are.
 *
 * @example
 * redactPrompts(promptEvent).data.text; // ''
 */
export function redactPrompts<E extends AnySatEvent>(event: E): E {
  const redactor = REDACTORS[event.type];
  const meta = redactMeta(event.meta);
  if (!redactor && meta === event.meta) return event;
  const out = { ...event, data: redactor ? redactor(event.data as Record<string, unknown>) : event.data };
  if (meta !== undefined) out.meta = meta;
  return out as E;
}
