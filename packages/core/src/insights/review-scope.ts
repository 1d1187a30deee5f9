import { SatError } from '../errors.js';
import type { AnalyticsQuery } from '../projections/analytics-store.js';
import { DAY_MS, dayOf } from '../projections/project-events.js';
import type { SessionDigest } from './session-digest.js';

/** What a review covers: one phase, the last N days, or one session. */
export type ReviewScope = { phase: string | number } | { days: number } | { session: string };

/** A scope resolved against the sessions: which sessions, which days, and the store query for it. */
export interface ResolvedScope {
  label: string;
  sessions: SessionDigest[];
  days: string[];
  query: AnalyticsQuery;
  /** Whether what happened in `phase` (`''`: none) on `day` (`YYYY-MM-DD`) is in the scope, as the store query filters it. */
  keeps: (phase: string, day: string) => boolean;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function daysScope(
  digests: readonly SessionDigest[],
  days: number,
  now: number,
  label: string,
): ResolvedScope {
  const from = (dayOf(now) - days + 1) * DAY_MS;
  const to = (dayOf(now) + 1) * DAY_MS;
  const sessions = digests.filter((d) => d.startedAt >= from && d.startedAt < to);
  const list: string[] = [];
  for (let t = from; t < to; t += DAY_MS) list.push(day(t));
  const first = day(from);
  const last = day(to - DAY_MS);
  return { label, sessions, days: list, query: { days, now }, keeps: (_phase, d) => d >= first && d <= last };
}

/** The sessions, days and store query of `scope`. Throws `SatError('USAGE')` for an empty or mixed scope. */
export function resolveScope(
  digests: readonly SessionDigest[],
  scope: ReviewScope,
  now: number,
): ResolvedScope {
  const keys = Object.keys(scope).filter((k) => (scope as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1)
    throw new SatError(
      'USAGE',
      `[core] reviewPhase: give exactly one of phase, days or session (got ${keys.join(', ') || 'none'})`,
      {
        details: { scope },
      },
    );
  if ('days' in scope) return daysScope(digests, scope.days, now, `last ${scope.days} days`);
  if ('session' in scope) {
    const sessions = digests.filter((d) => d.session === scope.session);
    return {
      label: `session ${scope.session}`,
      sessions,
      days: [...new Set(sessions.map((d) => d.day))],
      query: { session: scope.session },
      keeps: () => true,
    };
  }
  const phase = String(scope.phase);
  const sessions = digests.filter((d) => d.phases.includes(phase));
  return {
    label: `phase ${phase}`,
    sessions,
    days: [...new Set(sessions.map((d) => d.day))],
    query: { phase, days: 'all' },
    keeps: (p) => p === phase,
  };
}

/** The scope before `scope`: the previous phase (in order of first use), the N days before, or the previous session. */
export function previousScope(
  digests: readonly SessionDigest[],
  scope: ReviewScope,
  now: number,
): ResolvedScope | null {
  if ('days' in scope)
    return daysScope(digests, scope.days, now - scope.days * DAY_MS, `the ${scope.days} days before`);
  if ('session' in scope) {
    const index = digests.findIndex((d) => d.session === scope.session);
    const before = index > 0 ? digests[index - 1] : undefined;
    return before ? resolveScope(digests, { session: before.session }, now) : null;
  }
  const order: string[] = [];
  for (const digest of digests)
    for (const phase of digest.phases) if (!order.includes(phase)) order.push(phase);
  const index = order.indexOf(String(scope.phase));
  return index > 0 ? resolveScope(digests, { phase: order[index - 1]! }, now) : null;
}
