import { getActiveSession, listSessionIds, listSessions, sessionActivity, sessionInfo } from '@sat/core';
import { UsageError } from './errors.js';
import { formatTime } from './output.js';

/**
 * The session `active` names: the one `sat sessions` shows as active (the `.active-session`
 * one when it is among them, else the one with the latest activity); a UsageError naming the idle
 * sessions when none is.
 */
export async function resolveActiveSession(logsDir: string, now = Date.now()): Promise<string> {
  const marked = getActiveSession(logsDir);
  const markedInfo = marked ? sessionInfo(logsDir, marked) : undefined;
  if (markedInfo && sessionActivity(markedInfo, now) === 'active') return marked!;
  const sessions = await listSessions(logsDir);
  const active = sessions
    .filter((info) => sessionActivity(info, now) === 'active')
    .sort((a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''));
  if (active[0]) return active[0].session;
  const idle = sessions
    .filter((info) => info.status === 'active')
    .sort((a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''))
    .slice(0, 3)
    .map(
      (info) => `${info.session} (${sessionActivity(info, now)} since ${formatTime(info.lastActivityAt)})`,
    );
  throw new UsageError(
    `no active session: none had activity in the last hour${idle.length > 0 ? `; open but not current: ${idle.join(', ')}` : ''} (give a session id; see 'sat sessions')`,
  );
}

/** Resolves a session argument: a full id, a unique prefix of one, or `active`. */
export async function resolveSession(logsDir: string, arg: string): Promise<string> {
  if (arg === 'active') return resolveActiveSession(logsDir);
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
