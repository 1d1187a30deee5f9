import type { AnalyticsQuery, ReviewScope, SessionDigest } from '@sat/core';
import { UsageError } from '../errors.js';

/** What `sat review` was asked for, before it is resolved against the sessions. */
export interface ReviewRequest {
  /** `phase <N>` (positional). */
  scope?: string;
  phase?: string;
  days?: string;
  session?: string;
}

/** A request resolved to a scope: the library's scope, the report's file stem, the store query. */
export interface ResolvedRequest {
  scope: ReviewScope;
  /** `phase-2`, `last-7-days`, `session-<id>`: the report's file name without extension. */
  stem: string;
  query: AnalyticsQuery;
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3660)
    throw new UsageError(`--days must be a whole number from 1 to 3660, not '${value}'`);
  return n;
}

const FILE_SAFE = /[^A-Za-z0-9._-]+/g;

/** The phase the newest session is in, for `sat review` with no scope. */
function currentPhase(digests: readonly SessionDigest[]): string {
  const newest = [...digests].sort((a, b) => b.startedAt - a.startedAt)[0];
  const phase = newest?.phases.at(-1);
  if (phase === undefined)
    throw new UsageError(
      newest
        ? `the latest session (${newest.session}) has no phase: name one (sat review phase <N>), or use --days <n> or --session <id>`
        : "no sessions to review yet: import Claude Code transcripts with 'sat import', or capture some with 'sat init'",
    );
  return phase;
}

/**
 * The scope of a `sat review` request: exactly one of `phase <N>`, `--days`, `--session`
 * (session ids are resolved by the caller); no scope at all means the newest session's phase.
 *
 * @example
 * resolveRequest({ scope: 'phase', phase: '2' }, digests, now).stem; // 'phase-2'
 */
export function resolveRequest(
  request: ReviewRequest,
  digests: readonly SessionDigest[],
  now: number,
): ResolvedRequest {
  if (request.scope !== undefined && request.scope !== 'phase')
    throw new UsageError(
      `unknown review scope '${request.scope}': use 'sat review phase <N>', '--days <n>' or '--session <id>'`,
    );
  if (request.scope === 'phase' && (request.phase === undefined || request.phase.trim() === ''))
    throw new UsageError("'sat review phase' needs the phase: sat review phase <N>");
  const given = [request.scope !== undefined, request.days !== undefined, request.session !== undefined];
  if (given.filter(Boolean).length > 1)
    throw new UsageError('give one scope: phase <N>, --days <n> or --session <id>, not several');
  if (request.days !== undefined) {
    const n = days(request.days);
    return { scope: { days: n }, stem: `last-${n}-days`, query: { days: n, now } };
  }
  if (request.session !== undefined)
    return {
      scope: { session: request.session },
      stem: `session-${request.session.replace(FILE_SAFE, '_')}`,
      query: { session: request.session },
    };
  const phase = request.phase?.trim() ?? currentPhase(digests);
  return {
    scope: { phase },
    stem: `phase-${phase.replace(FILE_SAFE, '_')}`,
    query: { phase, days: 'all' },
  };
}
