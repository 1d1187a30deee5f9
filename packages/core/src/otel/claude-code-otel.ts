/**
 * Claude Code's OpenTelemetry records mapped to sat events. Pure: the IO (append, dedupe against
 * the log) is `capture/otlp-ingest.ts`. Every event id is derived from the record (its request,
 * tool call or prompt id and the event name), so a re-sent batch maps to the same ids.
 */
import type { NewEvent } from '../events/envelope.js';
import { isRealIsoTime } from '../events/envelope.js';
import type { EventType, TokenCounts } from '../events/payloads.js';
import { isValidSessionId, stableId } from '../ids.js';
import type { OtlpAttributes, OtlpLogRecord, OtlpMetricPoint, OtlpValue } from './otlp-json.js';

/** An event mapped from one record, with the keys the ingest dedupes by. */
export interface OtelEvent {
  event: NewEvent & { id: string; ts: string; agent: string };
  /** The record's Claude Code event name (`claude_code.tool_result`, ...). */
  name: string;
  /** Set for `tool_result`: the call, to skip when hooks already recorded it. */
  toolUseId?: string;
  /** Set for `user_prompt` (`prompt.id`). */
  promptId?: string;
}

/** What {@link mapClaudeCodeLog} returns: the event, or why the record was refused. */
export type OtelMapping = { ok: true; value: OtelEvent } | { ok: false; reason: string };

const PREFIX = 'claude_code.';

function text(value: OtlpValue | undefined): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function count(value: OtlpValue | undefined): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function amount(value: OtlpValue | undefined): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function bool(value: OtlpValue | undefined): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** Nanoseconds since the epoch (a string) as milliseconds. */
function nanosToMs(nanos: string | undefined): number | undefined {
  if (nanos === undefined) return undefined;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

/**
 * The Claude Code event name of a record: its `eventName`, else its `event.name` attribute, else
 * its body (Claude Code sets the body to the full name), with the `claude_code.` prefix.
 *
 * @example
 * claudeCodeEventName({ eventName: 'claude_code.api_request', ... }); // 'claude_code.api_request'
 */
export function claudeCodeEventName(record: OtlpLogRecord): string | undefined {
  const name = record.eventName ?? text(record.attributes['event.name']) ?? text(record.body);
  if (name === undefined) return undefined;
  return name.startsWith(PREFIX) ? name : `${PREFIX}${name}`;
}

function timeOf(record: OtlpLogRecord): string | undefined {
  const stamp = text(record.attributes['event.timestamp']);
  if (stamp !== undefined && isRealIsoTime(stamp)) return new Date(Date.parse(stamp)).toISOString();
  const ms = nanosToMs(record.timeUnixNano);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function agentOf(attributes: OtlpAttributes): string {
  if (text(attributes.query_source) !== 'subagent') return 'main';
  return text(attributes['agent.name']) ?? 'subagent';
}

type Built = {
  type: EventType;
  data: Record<string, unknown>;
  key: string;
  toolUseId?: string;
  promptId?: string;
};

function apiRequest(a: OtlpAttributes): Built {
  const requestId = text(a.request_id);
  const tokens: TokenCounts = {
    input: count(a.input_tokens),
    output: count(a.output_tokens),
    cacheCreation: count(a.cache_creation_tokens),
    cacheRead: count(a.cache_read_tokens),
  };
  const cost = amount(a.cost_usd);
  const duration = amount(a.duration_ms);
  const querySource = text(a.query_source);
  const data: Record<string, unknown> = {
    model: text(a.model) ?? 'unknown',
    message_id: requestId ?? `otel:${text(a['event.sequence']) ?? text(a['event.timestamp']) ?? '-'}`,
    tokens,
    source: 'otel',
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(cost === undefined ? {} : { cost_usd: cost }),
    ...(duration === undefined ? {} : { duration_ms: duration }),
    ...(querySource === undefined ? {} : { query_source: querySource.slice(0, 64) }),
  };
  return { type: 'api_response', data, key: requestId ?? String(data.message_id) };
}

function toolResult(a: OtlpAttributes): Built | string {
  const tool = text(a.tool_name);
  if (tool === undefined) return 'claude_code.tool_result has no tool_name';
  const toolUseId = text(a.tool_use_id);
  const duration = amount(a.duration_ms);
  const error = text(a.error_type) ?? text(a.error);
  const data: Record<string, unknown> = {
    tool,
    success: bool(a.success) ?? error === undefined,
    ...(toolUseId === undefined ? {} : { tool_use_id: toolUseId }),
    ...(duration === undefined ? {} : { duration_ms: duration }),
    ...(error === undefined ? {} : { error }),
  };
  return {
    type: 'tool_usage',
    data,
    key: toolUseId ?? `${tool}\u0000${text(a['event.timestamp'])}`,
    ...(toolUseId ? { toolUseId } : {}),
  };
}

function apiError(a: OtlpAttributes): Built {
  const context: Record<string, unknown> = {};
  for (const key of ['model', 'status_code', 'duration_ms', 'attempt', 'request_id'] as const)
    if (a[key] !== undefined && a[key] !== null) context[key] = a[key];
  const message = text(a.error);
  return {
    type: 'error',
    data: { error_type: 'api_error', ...(message === undefined ? {} : { message }), context },
    key: text(a.request_id) ?? `${text(a['event.timestamp'])}\u0000${message}`,
  };
}

function userPrompt(a: OtlpAttributes): Built {
  const prompt = typeof a.prompt === 'string' ? a.prompt : '';
  const promptId = text(a['prompt.id']);
  return {
    type: 'user_prompt',
    data: { text: prompt, chars: count(a.prompt_length) || prompt.length },
    key: promptId ?? `${text(a['event.timestamp'])}\u0000${prompt.slice(0, 200)}`,
    ...(promptId ? { promptId } : {}),
  };
}

function generic(name: string, a: OtlpAttributes): Built {
  return {
    type: 'notification',
    data: { message: name, notification_type: 'claude_code_otel' },
    key: `${text(a['prompt.id']) ?? ''}\u0000${text(a['event.sequence']) ?? ''}\u0000${JSON.stringify(a)}`,
  };
}

function build(name: string, a: OtlpAttributes): Built | string {
  switch (name) {
    case 'claude_code.api_request':
      return apiRequest(a);
    case 'claude_code.tool_result':
      return toolResult(a);
    case 'claude_code.api_error':
      return apiError(a);
    case 'claude_code.user_prompt':
      return userPrompt(a);
    default:
      return generic(name, a);
  }
}

/**
 * Maps one of Claude Code's log records to a sat event: `api_request` -> `api_response` (source
 * `otel`, with `cost_usd`), `tool_result` -> `tool_usage`, `api_error` -> `error`, `user_prompt`
 * -> `user_prompt` (the text only when Claude Code exported it), any other name -> a
 * `notification` of type `claude_code_otel` with the record's attributes in `meta.otel`.
 * Refused: a record with no event name, no valid `session.id` or no time.
 *
 * @example
 * const mapped = mapClaudeCodeLog(record);
 * if (mapped.ok) writer.append(mapped.value.event);
 */
export function mapClaudeCodeLog(record: OtlpLogRecord): OtelMapping {
  const name = claudeCodeEventName(record);
  if (name === undefined)
    return { ok: false, reason: 'the record names no event (eventName, event.name or body)' };
  const a = record.attributes;
  const session = text(a['session.id']) ?? text(record.resource['session.id']);
  if (session === undefined || !isValidSessionId(session))
    return { ok: false, reason: `${name} has no valid session.id` };
  const ts = timeOf(record);
  if (ts === undefined) return { ok: false, reason: `${name} has no event.timestamp or timeUnixNano` };
  const built = build(name, a);
  if (typeof built === 'string') return { ok: false, reason: built };
  const event: OtelEvent['event'] = {
    type: built.type,
    session,
    agent: agentOf(a),
    ts,
    id: stableId(Date.parse(ts), session, 'otel', name, built.key),
    data: built.data as never,
    meta: { otel: { name, attributes: a } },
  };
  return {
    ok: true,
    value: {
      event,
      name,
      ...(built.toolUseId ? { toolUseId: built.toolUseId } : {}),
      ...(built.promptId ? { promptId: built.promptId } : {}),
    },
  };
}

/** Session-level figures of Claude Code's cost and token metrics (sums of delta points). */
export interface OtelSessionMetrics {
  /** `claude_code.cost.usage`, USD. */
  costUsd: number;
  /** `claude_code.token.usage` by its `type` attribute (input, output, cacheRead, cacheCreation). */
  tokens: Record<string, number>;
  /** Other metrics' points, by metric name. */
  other: Record<string, number>;
}

/**
 * Sums Claude Code's metric points per `session.id`: `claude_code.cost.usage` and
 * `claude_code.token.usage` (by `type`), other metrics by name. Points with no session are left out.
 *
 * @example
 * summarizeClaudeCodeMetrics(decodeOtlpMetrics(body).items)['s1']?.costUsd;
 */
export function summarizeClaudeCodeMetrics(
  points: readonly OtlpMetricPoint[],
): Record<string, OtelSessionMetrics> {
  const out: Record<string, OtelSessionMetrics> = {};
  for (const point of points) {
    const session = text(point.attributes['session.id']) ?? text(point.resource['session.id']);
    if (session === undefined || !isValidSessionId(session)) continue;
    const figures = out[session] ?? { costUsd: 0, tokens: {}, other: {} };
    out[session] = figures;
    if (point.metric === 'claude_code.cost.usage') figures.costUsd += point.value;
    else if (point.metric === 'claude_code.token.usage') {
      const type = text(point.attributes.type) ?? 'unknown';
      figures.tokens[type] = (figures.tokens[type] ?? 0) + point.value;
    } else figures.other[point.metric] = (figures.other[point.metric] ?? 0) + point.value;
  }
  return out;
}
