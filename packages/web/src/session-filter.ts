import { SatError } from '@sat/core';
import { intParam } from './paginate.js';

/** The query of `GET /api/sessions`: filters and sort (`phase` is applied by the app, from the logs). */
export interface SessionQuery {
  /** `active`, `idle`, `ended`, ... as the rows' `activity` says (prefix match: `ended` matches `ended (imported)`). */
  activity?: string;
  /** Only sessions whose last activity (else start) is within this many days. */
  days?: string;
  /** Case-insensitive text found in the session id or its file. */
  text?: string;
  /** A row field (`start`, `lastActivityAt`, `events`, `cost`, `bytes`, `session`); `-` first for descending. Default `-start`. */
  sort?: string;
}

const SORTABLE = new Set(['start', 'end', 'lastActivityAt', 'events', 'cost', 'bytes', 'session']);

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Filters and sorts the rows of `sat sessions --json`; a bad `sort` or `days` is a `USAGE`
 * SatError naming the parameter.
 *
 * @example
 * filterSessions(rows, { activity: 'active', sort: '-cost' });
 */
export function filterSessions<T extends Record<string, unknown>>(
  rows: readonly T[],
  query: SessionQuery,
  now = Date.now(),
): T[] {
  const days = intParam('days', query.days, 1, 36_500);
  const sort = query.sort ?? '-start';
  const field = sort.replace(/^-/, '');
  if (!SORTABLE.has(field))
    throw new SatError(
      'USAGE',
      `[web] query parameter 'sort' must be one of ${[...SORTABLE].join(', ')} (with '-' for descending), got '${sort}'`,
    );
  const text = query.text?.toLowerCase();
  const since = days === undefined ? undefined : now - days * 86_400_000;
  const kept = rows.filter((row) => {
    if (query.activity && !String(row.activity ?? '').startsWith(query.activity)) return false;
    if (text && !`${row.session} ${row.file ?? ''}`.toLowerCase().includes(text)) return false;
    if (since !== undefined) {
      const at = Date.parse(String(row.lastActivityAt ?? row.start ?? ''));
      if (!(at >= since)) return false;
    }
    return true;
  });
  const sign = sort.startsWith('-') ? -1 : 1;
  return kept.sort((a, b) => {
    const c = compare(a[field], b[field]);
    return a[field] === undefined || b[field] === undefined ? c : sign * c;
  });
}
