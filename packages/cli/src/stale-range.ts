import { listSessions } from '@sat/core';

/** The window `sat stats` and `sat chart` cover when `--days` is not given. */
export const DEFAULT_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * A note for a report over the last `days` days (default {@link DEFAULT_DAYS}) when every
 * logged event is older, naming the newest event's day and `--days all`; undefined when some
 * event is recent enough, when `days` is `all`, or when there are no sessions.
 *
 * @example
 * await staleRangeNote(config.paths.logs, undefined);
 * // 'no events in the last 30 days; the newest is from 2025-02-03: try --days all'
 */
export async function staleRangeNote(
  logsDir: string,
  days: number | 'all' | undefined,
  now = Date.now(),
): Promise<string | undefined> {
  if (days === 'all') return undefined;
  const window = days ?? DEFAULT_DAYS;
  let newest: string | undefined;
  for (const info of await listSessions(logsDir)) {
    const at = info.lastActivityAt ?? info.lastEventAt ?? info.start;
    if (at !== undefined && (newest === undefined || at > newest)) newest = at;
  }
  if (newest === undefined || now - Date.parse(newest) <= window * DAY_MS) return undefined;
  return `no events in the last ${window} days; the newest is from ${newest.slice(0, 10)}: try --days all`;
}
