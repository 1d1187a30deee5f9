import { SatError } from '../errors.js';
import { DAY_MS, dayOf } from './project-events.js';

/** Default of the `days` filter. */
export const DEFAULT_DAYS = 30;

/**
 * Filters every analytics query takes. They combine (AND).
 *
 * @example
 * await store.agentPerformance({ days: 7, phase: 'implement', agent: 'code-reviewer' });
 */
export interface AnalyticsFilters {
  /**
   * The last N days (UTC calendar days, today included). Default 30, or `'all'` when `session` is
   * given; `'all'` for no limit.
   */
  days?: number | 'all';
  /** One session's id. */
  session?: string;
  /** One phase (as a `phase` event or `session_start` set it). */
  phase?: string | number;
  /**
   * One agent: the invoked agent type for invocations, the agent that acted for tools, errors,
   * files and token usage.
   */
  agent?: string;
  /** One person: the owner's `user` (an imported event's origin, else the local `identity.user`). */
  user?: string;
  /** One machine: the owner's `machine` (an imported event's origin, else the local `identity.machine`). */
  machine?: string;
  /** "Today" for the `days` filter. Default: the current time. */
  now?: Date | string | number;
}

/** Filters with their defaults applied, as echoed in every result. */
export interface ResolvedFilters {
  days: number | 'all';
  /** First day included, as days since 1970-01-01 (UTC); null for all time. */
  fromDay: number | null;
  /** Last day included (the day of `now`, UTC), so that a range ending in the past has an end; null for all time. */
  toDay: number | null;
  /** First day included as `YYYY-MM-DD`; null for all time. */
  from: string | null;
  session: string | null;
  phase: string | null;
  agent: string | null;
  user: string | null;
  machine: string | null;
}

function usage(message: string, details: Record<string, unknown>): SatError {
  return new SatError('USAGE', `[core] ${message}`, { details });
}

/**
 * Applies the defaults to `filters` and checks them; throws `SatError('USAGE')` naming the bad
 * filter.
 *
 * @example
 * resolveFilters({ days: 7, now: '2026-03-10T12:00:00Z' }).from // '2026-03-04'
 */
export function resolveFilters(filters: AnalyticsFilters = {}): ResolvedFilters {
  const days = filters.days ?? (filters.session !== undefined ? 'all' : DEFAULT_DAYS);
  if (days !== 'all' && !(Number.isInteger(days) && days >= 1))
    throw usage(
      `invalid analytics filter days=${JSON.stringify(days)}: expected a whole number >= 1, or 'all'`,
      {
        filter: 'days',
      },
    );
  const now = filters.now === undefined ? Date.now() : new Date(filters.now).getTime();
  if (!Number.isFinite(now))
    throw usage(`invalid analytics filter now=${JSON.stringify(filters.now)}: expected a date`, {
      filter: 'now',
    });
  for (const key of ['session', 'agent', 'user', 'machine'] as const) {
    const value = filters[key];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw usage(`invalid analytics filter ${key}=${JSON.stringify(value)}: expected a non-empty string`, {
        filter: key,
      });
  }
  if (filters.phase !== undefined && String(filters.phase) === '')
    throw usage(`invalid analytics filter phase="": expected a phase name or number`, { filter: 'phase' });
  const fromDay = days === 'all' ? null : dayOf(now) - days + 1;
  return {
    days,
    fromDay,
    toDay: days === 'all' ? null : dayOf(now),
    from: fromDay === null ? null : new Date(fromDay * DAY_MS).toISOString().slice(0, 10),
    session: filters.session ?? null,
    phase: filters.phase === undefined ? null : String(filters.phase),
    agent: filters.agent ?? null,
    user: filters.user ?? null,
    machine: filters.machine ?? null,
  };
}
