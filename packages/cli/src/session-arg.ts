import { getActiveSession, listSessionIds } from '@sat/core';
import { UsageError } from './errors.js';

/** Resolves a session argument: a full id, a unique prefix of one, or `active`. */
export function resolveSession(logsDir: string, arg: string): string {
  if (arg === 'active') {
    const active = getActiveSession(logsDir);
    if (!active) throw new UsageError("no active session (see 'sat sessions')");
    return active;
  }
  const ids = listSessionIds(logsDir);
  if (ids.includes(arg)) return arg;
  const matches = ids.filter((id) => id.startsWith(arg));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new UsageError(`no session matches '${arg}' in ${logsDir} (see 'sat sessions')`);
  throw new UsageError(
    `'${arg}' matches ${matches.length} sessions (${matches.slice(0, 3).join(', ')}, ...): give more of the id`,
  );
}
