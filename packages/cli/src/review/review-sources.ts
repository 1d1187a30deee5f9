import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type ReviewScope,
  readStoredSessions,
  type SatConfig,
  type SessionDigest,
  type StorageTarget,
  type StoredSessionFilter,
  type StoredSessions,
  type StoredSessionUnreadable,
} from '@sat/core';
import type { SqliteStore } from '@sat/store-sqlite';
import { backupTarget, sqliteDatabaseBackup } from '../backup-target.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { transferBar } from '../transfer-progress.js';

const DAY_MS = 86_400_000;

/** The phases whose stored sessions a phase review reads: the phase and the one before it (for the comparison). */
function phasesOf(phase: string, local: readonly SessionDigest[]): string[] {
  const order: string[] = [];
  for (const digest of [...local].sort((a, b) => a.startedAt - b.startedAt))
    for (const p of digest.phases) if (!order.includes(p)) order.push(p);
  const index = order.indexOf(phase);
  const before =
    index > 0
      ? order[index - 1]
      : /^\d+$/.test(phase) && Number(phase) > 0
        ? String(Number(phase) - 1)
        : undefined;
  return before === undefined ? [phase] : [phase, before];
}

/** Which stored sessions a scope needs: its own and those of the scope before it. */
export function storedFilterOf(
  scope: ReviewScope,
  local: readonly SessionDigest[],
  now: number,
): StoredSessionFilter {
  if ('days' in scope) return { since: new Date((Math.floor(now / DAY_MS) - 2 * scope.days + 1) * DAY_MS) };
  if ('session' in scope) return { sessions: [scope.session] };
  return { phases: phasesOf(String(scope.phase), local) };
}

/** The targets a review reads stored sessions from: the backup target, and the archive bucket when one is set. */
async function reviewTargets(config: SatConfig): Promise<{
  backupTarget?: StorageTarget;
  archiveTarget?: StorageTarget;
  unreadable: StoredSessionUnreadable[];
}> {
  const unreadable: StoredSessionUnreadable[] = [];
  const out: { backupTarget?: StorageTarget; archiveTarget?: StorageTarget } = {};
  try {
    out.backupTarget = await backupTarget(config);
  } catch (error) {
    unreadable.push({
      session: null,
      source: 'backup',
      location: config.backup.target,
      reason: (error as Error).message,
    });
  }
  if (config.archive.s3?.bucket && config.backup.target !== 's3') {
    try {
      const { archiveTarget } = await import('../archive-target.js');
      out.archiveTarget = await archiveTarget(config);
    } catch (error) {
      unreadable.push({
        session: null,
        source: 'archive',
        location: `s3://${config.archive.s3.bucket}`,
        reason: (error as Error).message,
      });
    }
  }
  return { ...out, unreadable };
}

/**
 * Reads the scope's sessions that are only in a backup or a phase archive into `workDir` (never
 * into the user's data), with a progress bar on a terminal. A target that cannot be reached is
 * reported among the unreadable, and the review goes on with what it has.
 */
export async function gatherStoredSessions(
  ctx: CliContext,
  filter: StoredSessionFilter,
  localSessions: ReadonlySet<string>,
  workDir: string,
): Promise<StoredSessions> {
  const config = ctx.config();
  const targets = await reviewTargets(config);
  const bar = await transferBar(ctx);
  try {
    const stored = await readStoredSessions(config, workDir, {
      ...filter,
      ...(targets.backupTarget ? { backupTarget: targets.backupTarget } : {}),
      ...(targets.archiveTarget ? { archiveTarget: targets.archiveTarget } : {}),
      exclude: localSessions,
      onProgress: (p) => bar.update(p),
    });
    return { ...stored, unreadable: [...targets.unreadable, ...stored.unreadable] };
  } finally {
    bar.stop();
  }
}

/**
 * A store holding the local sessions and the stored ones read: a copy of the local database
 * (SQLite's online backup) into `workDir`, with the stored sessions ingested into it. The local
 * database is not changed.
 */
export async function storeWithStored(
  ctx: CliContext,
  local: SqliteStore,
  stored: StoredSessions,
  workDir: string,
): Promise<SqliteStore> {
  const copy = sqliteDatabaseBackup();
  const file = join(workDir, 'analytics', 'sat.db');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { openSqliteStore } = await import('@sat/store-sqlite');
  if (!copy)
    throw new UsageError(
      `cannot copy ${local.file} to add the stored sessions: better-sqlite3 is not loadable (reinstall @sat/store-sqlite), or review with --local-only`,
    );
  await copy(file, local.file);
  const store = await openSqliteStore({ file, logsDir: stored.logsDir, config: ctx.config() });
  await store.ingestLog();
  return store;
}
