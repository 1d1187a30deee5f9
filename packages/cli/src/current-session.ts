import { getActiveSession, listSessions, sessionInfo } from '@sat/core';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { resolveSession } from './session-arg.js';

/**
 * The session a command is about: the one named (id, unique prefix or `active`), else the active
 * session, else the one with the most recent activity (sat's own snapshot/handoff/backup events do not count).
 */
export async function currentSession(logsDir: string, arg: string | undefined): Promise<string> {
  if (arg) return resolveSession(logsDir, arg);
  const active = getActiveSession(logsDir);
  if (active && sessionInfo(logsDir, active)) return active;
  const sessions = await listSessions(logsDir);
  if (sessions.length === 0)
    throw new UsageError(
      `no sessions yet in ${logsDir} (import Claude Code transcripts with 'sat import', or log one with 'sat log')`,
    );
  const latest = [...sessions].sort((a, b) =>
    (b.lastActivityAt ?? b.start ?? '').localeCompare(a.lastActivityAt ?? a.start ?? ''),
  )[0]!;
  return latest.session;
}

/** Prints warnings about corrupt snapshots and bad log lines to stderr, one line each. */
export function warnAll(ctx: CliContext, warnings: readonly string[]): void {
  for (const warning of warnings) ctx.note(`sat: warning: ${warning}`);
}

/** Shortens an id for a table: its last 12 characters (UUIDv7 ids differ at the end within a session). */
export function shortId(id: string): string {
  return id.length > 13 ? `…${id.slice(-12)}` : id;
}

/** `3 min ago`, `2 h ago`, `5 d ago` */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}
