import type { AnySatEvent } from '../events/envelope.js';
import { isObject } from '../guards.js';
import { redactPrompts } from './redact-prompts.js';

/** JSON with object keys sorted, so the same value gives the same text whatever its key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stable(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * What two copies of one event must agree on to be the same event: everything but what a log
 * gives it locally (its `seq`, its `session`, its payload version `v`, which a writer sets to its
 * own), its `meta.origin`, and a time a writer replaced as implausible (compared as the original).
 *
 * @example
 * eventContent(local) === eventContent(foreign); // the same event, recorded twice
 */
export function eventContent(event: AnySatEvent): string {
  const meta: Record<string, unknown> = isObject(event.meta) ? { ...event.meta } : {};
  let ts = event.ts;
  if (meta.ts_suspect === true && typeof meta.ts_original === 'string') ts = meta.ts_original;
  delete meta.origin;
  delete meta.ts_suspect;
  delete meta.ts_original;
  return stable({
    id: event.id,
    ts,
    type: event.type,
    agent: event.agent,
    parent: event.parent,
    data: event.data,
    meta: Object.keys(meta).length > 0 ? meta : undefined,
  });
}

/**
 * True when `a` and `b` are the same event: equal {@link eventContent}, or equal once one of them
 * has its prompt text dropped (a copy shared with `--redact-prompts` is the same event as its
 * original).
 *
 * @example
 * sameEvent(local, foreign); // false: a real conflict
 */
export function sameEvent(a: AnySatEvent, b: AnySatEvent): boolean {
  const left = eventContent(a);
  const right = eventContent(b);
  if (left === right) return true;
  return eventContent(redactPrompts(a)) === right || left === eventContent(redactPrompts(b));
}
