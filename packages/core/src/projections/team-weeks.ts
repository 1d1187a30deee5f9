import type { ResolvedFilters } from './analytics-filters.js';
import type { TeamActivity, TokenFigures } from './analytics-results.js';
import { DAY_MS, dayOf } from './project-events.js';

/** One person's work in one ISO week, in {@link TeamWeeks}. */
export interface TeamWeekRow {
  /** ISO-8601 week, `YYYY-Www` (weeks start on Monday, UTC). */
  week: string;
  user: string;
  /** The machines the work was recorded on, by name. */
  machines: string[];
  sessions: number;
  responses: number;
  tokens: TokenFigures;
  /** USD; null when some usage is of a model the price table does not know. */
  cost: number | null;
  pricedCost: number;
  unpricedModels: string[];
  errors: number;
  toolCalls: number;
  invocations: number;
}

/** {@link teamWeeks}'s result. */
export interface TeamWeeks {
  filters: ResolvedFilters;
  /** By week, then user. */
  rows: TeamWeekRow[];
}

/**
 * The ISO-8601 week of a day (days since 1970-01-01, UTC), as `YYYY-Www`.
 *
 * @example
 * isoWeek(dayOf(Date.UTC(2026, 0, 1))); // '2026-W01'
 */
export function isoWeek(day: number): string {
  const weekday = (((day + 3) % 7) + 7) % 7; // 0: Monday (1970-01-01 was a Thursday)
  const thursday = new Date((day - weekday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((dayOf(thursday.getTime()) - dayOf(Date.UTC(year, 0, 1))) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The `days` filter that covers the last `weeks` ISO weeks, the current one included, up to `now`.
 *
 * @example
 * daysOfWeeks(1, Date.UTC(2026, 2, 4)); // 3 (Monday 2 March to Wednesday 4 March)
 */
export function daysOfWeeks(weeks: number, now: number): number {
  const today = dayOf(now);
  const weekday = (((today + 3) % 7) + 7) % 7;
  return weekday + 1 + (weeks - 1) * 7;
}

const round9 = (value: number) => Math.round(value * 1e9) / 1e9;

/**
 * Folds the team activity (per user x machine x day) into one row per person per period
 * (`periodOf` of each day, `YYYY-MM-DD`; the row's `week`): sessions, tokens, cost and errors added
 * up, the machines listed. Rows by period, then user.
 *
 * @example
 * foldTeamActivity(activity, () => 'all').map((r) => r.user); // ['ana', 'bo']
 */
export function foldTeamActivity(activity: TeamActivity, periodOf: (day: string) => string): TeamWeekRow[] {
  const byKey = new Map<string, TeamWeekRow>();
  for (const row of activity.rows) {
    const week = periodOf(row.day);
    const key = `${week}\u0001${row.user}`;
    let out = byKey.get(key);
    if (!out) {
      out = {
        week,
        user: row.user,
        machines: [],
        sessions: 0,
        responses: 0,
        tokens: { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0, total: 0 },
        cost: 0,
        pricedCost: 0,
        unpricedModels: [],
        errors: 0,
        toolCalls: 0,
        invocations: 0,
      };
      byKey.set(key, out);
    }
    if (!out.machines.includes(row.machine)) out.machines.push(row.machine);
    out.sessions += row.sessions;
    out.responses += row.responses;
    out.errors += row.errors;
    out.toolCalls += row.toolCalls;
    out.invocations += row.invocations;
    for (const field of Object.keys(out.tokens) as (keyof TokenFigures)[])
      out.tokens[field] += row.tokens[field];
    out.pricedCost = round9(out.pricedCost + row.pricedCost);
    for (const model of row.unpricedModels)
      if (!out.unpricedModels.includes(model)) out.unpricedModels.push(model);
    out.cost = out.unpricedModels.length > 0 ? null : out.pricedCost;
  }
  const rows = [...byKey.values()].sort((a, b) =>
    a.week < b.week ? -1 : a.week > b.week ? 1 : a.user < b.user ? -1 : a.user > b.user ? 1 : 0,
  );
  for (const row of rows) {
    row.machines.sort();
    row.unpricedModels.sort();
  }
  return rows;
}

/**
 * One row per person per ISO week (see {@link foldTeamActivity}).
 *
 * @example
 * teamWeeks(await store.team({ days: daysOfWeeks(4, Date.now()) })).rows[0]; // { week: '2026-W09', user: 'ana', ... }
 */
export function teamWeeks(activity: TeamActivity): TeamWeeks {
  const weekOf = (day: string) => isoWeek(dayOf(Date.parse(`${day}T00:00:00Z`)));
  return { filters: activity.filters, rows: foldTeamActivity(activity, weekOf) };
}
