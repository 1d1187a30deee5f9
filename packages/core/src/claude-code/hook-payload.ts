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
