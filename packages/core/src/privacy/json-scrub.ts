/** What {@link scrubJson} made of a value. */
export type ScrubOutcome =
  /** The value does not mention any of the ids: unchanged. */
  | { kind: 'clean' }
  /** The value belongs to one of the ids as a whole (its own fields name it): delete the file. */
  | { kind: 'owned' }
  /** Entries naming the ids were removed: write `value` back. */
  | { kind: 'scrubbed'; value: unknown; removed: number };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const mentions = (text: string, ids: readonly string[]): boolean => ids.some((id) => text.includes(id));

/**
 * True when the value is about an id as a whole: a string that names one, or an object one of
 * whose own string values names one (`{ session: id, ... }`). Keys and nested values do not
 * count: a key is removed on its own, and arrays and nested objects are scrubbed item by item.
 */
function namesDirectly(value: Json, ids: readonly string[]): boolean {
  if (typeof value === 'string') return mentions(value, ids);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).some((item) => typeof item === 'string' && mentions(item, ids));
}

function scrubInside(value: Json, ids: readonly string[], count: { removed: number }): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const kept = value.filter((item) => {
      const drop = namesDirectly(item, ids);
      if (drop) count.removed++;
      return !drop;
    });
    return kept.map((item) => scrubInside(item, ids, count));
  }
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    if (mentions(key, ids) || namesDirectly(item, ids)) {
      count.removed++;
      continue;
    }
    out[key] = scrubInside(item, ids, count);
  }
  return out;
}

/**
 * Removes from a parsed JSON cache every entry that names one of `ids` (a session id): an
 * object property whose key names one, and any object, array or string (at any depth) whose own
 * keys or string values name one. A value whose top-level fields name an id is `owned` (a whole
 * file about that session, such as a hook payload). Pure.
 *
 * @example
 * scrubJson({ sessions: { s1: { cost: 1 }, s2: { cost: 2 } } }, ['s1']);
 * // { kind: 'scrubbed', value: { sessions: { s2: { cost: 2 } } }, removed: 1 }
 */
export function scrubJson(value: unknown, ids: readonly string[]): ScrubOutcome {
  const text = JSON.stringify(value);
  if (text === undefined || !mentions(text, ids)) return { kind: 'clean' };
  if (namesDirectly(value as Json, ids)) return { kind: 'owned' };
  const count = { removed: 0 };
  const scrubbed = scrubInside(value as Json, ids, count);
  return { kind: 'scrubbed', value: scrubbed, removed: count.removed };
}
