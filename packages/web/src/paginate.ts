import { SatError } from '@sat/core';

/** One page of a list and the cursor of the next (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
  total: number;
}

const MAX_LIMIT = 1000;

/**
 * Parses a whole-number query parameter in [min, max]; undefined when absent; a `USAGE`
 * SatError naming the parameter otherwise.
 *
 * @example
 * intParam('limit', '50', 1, 1000); // 50
 */
export function intParam(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new SatError(
      'USAGE',
      `[web] query parameter '${name}' must be a whole number from ${min} to ${max}, got '${text}'`,
    );
  return n;
}

/**
 * Cuts `items` into a page: `cursor` is the offset the previous page returned as `nextCursor`,
 * `limit` defaults to 100 (at most 1000).
 *
 * @example
 * paginate([1, 2, 3], { limit: '2' }); // { items: [1, 2], nextCursor: '2', total: 3 }
 */
export function paginate<T>(items: readonly T[], query: { limit?: string; cursor?: string }): Page<T> {
  const limit = intParam('limit', query.limit, 1, MAX_LIMIT) ?? 100;
  const offset = intParam('cursor', query.cursor, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  return { items: page, total: items.length, ...(next < items.length ? { nextCursor: String(next) } : {}) };
}
