import { isValidSessionId } from '../ids.js';

/**
 * One Claude Code hook payload as the hook read it from stdin: a JSON object whose
 * `session_id` is a usable session id. Every other field is as Claude Code sent it (see the
 * Hooks section of Claude Code's documentation): `hook_event_name`, `transcript_path`, `cwd`,
 * `agent_id`/`agent_type` inside a sub-agent, and the fields of each event.
 */
export type HookPayload = Record<string, unknown> & { session_id: string };

/** What {@link parseHookPayload} makes of a spool file's text. */
export type ParsedHookPayload = { payload: HookPayload; reason?: undefined } | { reason: string };

/**
 * Parses the text of one captured hook payload; gives the reason instead when it is not a JSON
 * object or names no valid `session_id`.
 *
 * @example
 * parseHookPayload('{"session_id":"s1","hook_event_name":"Stop"}'); // { payload: {...} }
 * parseHookPayload('[1]'); // { reason: 'not a hook payload: not a JSON object' }
 */
export function parseHookPayload(text: string): ParsedHookPayload {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
  } catch (error) {
    return { reason: `not a hook payload: ${(error as Error).message}` };
  }
  const session = (value as Record<string, unknown>).session_id;
  if (!isValidSessionId(session))
    return { reason: `no valid session_id (${JSON.stringify(session)?.slice(0, 60)})` };
  return { payload: value as HookPayload };
}

/**
 * A payload field that is a non-empty string, else undefined.
 *
 * @example
 * nonEmptyString({ source: 'resume' }.source); // 'resume'
 * nonEmptyString(''); // undefined
 */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * `text` cut to `max` characters (default 2000), with `…` where it was cut.
 *
 * @example
 * clip('abcdef', 3); // 'abc…'
 */
export function clip(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Limits of what is kept of one hook payload (see {@link boundPayload}). */
export const HOOK_PAYLOAD_LIMITS = {
  /** Deeper values are replaced by a `[cut: ...]` marker. */
  maxDepth: 32,
  /** Longest string kept whole; longer ones end with `…[cut: N more]`. */
  maxString: 256 * 1024,
  /** Items kept of one array, and keys of one object. */
  maxItems: 1000,
  /** Characters of strings kept in all, over the whole payload. */
  maxTotal: 1024 * 1024,
  /**
   * A payload's raw copy holds its whole text up to this size (2 MiB: a 1 MB tool response is
   * kept whole), else its bounded form.
   */
  maxRawBytes: 2 * 1024 * 1024,
  /** A payload larger than this is not parsed: only its identifying fields are read. */
  maxParseBytes: 8 * 1024 * 1024,
} as const;

/**
 * A byte count as people read it: `512 B`, `3.4 KB`, `1.2 MB`.
 *
 * @example
 * formatBytes(1_200_000); // '1.2 MB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * A copy of a parsed payload that is safe to store and serialise: values nested deeper than
 * `maxDepth` become `"[cut: nested deeper than 32 levels]"`, strings past `maxString` (or past
 * what is left of `maxTotal`) end with `…[cut: 1.2 MB more]`, arrays and objects keep their first
 * `maxItems` entries (then `"…[cut: N more items]"`). `cut` is true when anything was cut. Never
 * recurses deeper than `maxDepth`, whatever the input.
 *
 * @example
 * boundPayload({ session_id: 's1', tool_input: { a: { b: 1 } } }, { maxDepth: 2 }).value;
 * // { session_id: 's1', tool_input: { a: '[cut: nested deeper than 2 levels]' } }
 */
export function boundPayload<T extends Record<string, unknown>>(
  payload: T,
  limits: Partial<typeof HOOK_PAYLOAD_LIMITS> = {},
): { value: T; cut: boolean } {
  const { maxDepth, maxString, maxItems, maxTotal } = { ...HOOK_PAYLOAD_LIMITS, ...limits };
  let budget = maxTotal;
  let cut = false;
  const bound = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      const keep = Math.max(0, Math.min(maxString, budget));
      budget -= Math.min(value.length, keep);
      if (value.length <= keep) return value;
      cut = true;
      return `${value.slice(0, keep)}…[cut: ${formatBytes(value.length - keep)} more]`;
    }
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= maxDepth) {
      cut = true;
      return `[cut: nested deeper than ${maxDepth} levels]`;
    }
    const entries = Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value);
    const kept = entries.slice(0, maxItems).map(([key, item]) => [key, bound(item, depth + 1)] as const);
    const more = entries.length - kept.length;
    if (more > 0) cut = true;
    if (Array.isArray(value)) {
      const items = kept.map(([, item]) => item);
      if (more > 0) items.push(`…[cut: ${more} more items]`);
      return items;
    }
    const out: Record<string, unknown> = Object.fromEntries(kept);
    if (more > 0) out['…'] = `[cut: ${more} more keys]`;
    return out;
  };
  return { value: bound(payload, 0) as T, cut };
}

const IDENTIFYING_FIELDS = ['session_id', 'hook_event_name', 'tool_name', 'tool_use_id', 'agent_id'] as const;

/**
 * The identifying string fields of a payload too large to parse, read with a bounded scan of its
 * first and last bytes (`head`, `tail`): `session_id`, `hook_event_name`, `tool_name`,
 * `tool_use_id`, `agent_id`. A field is taken from the head (Claude Code writes these before the
 * large `tool_input`/`tool_response`), else the last match in the tail (`tool_use_id` comes last).
 *
 * @example
 * scanPayloadFields('{"session_id":"s1","hook_event_name":"PostToolUse","tool_input":{"a":"', '"},"tool_use_id":"t1"}');
 * // { session_id: 's1', hook_event_name: 'PostToolUse', tool_use_id: 't1' }
 */
export function scanPayloadFields(head: string, tail: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of IDENTIFYING_FIELDS) {
    const pattern = new RegExp(`"${field}"\\s*:\\s*"([^"\\\\]{1,256})"`, 'g');
    const first = pattern.exec(head)?.[1];
    const last = [...tail.matchAll(pattern)].pop()?.[1];
    const value = first ?? last;
    if (value !== undefined) out[field] = value;
  }
  return out;
}
