import {
  type BackupCheck,
  type BackupListing,
  checkBackup,
  isSatError,
  listBackupQueue,
  listBackups,
  type SatConfig,
  type StorageTarget,
} from '@sat/core';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import { formatBytes, formatTime, printJson, printTable } from '../output.js';
import type { backupsCommand } from '../registry.js';

/** The STATUS column of one backup. */
function backupStatus(check: BackupCheck | undefined): string {
  if (!check) return 'not checked';
  if (check.state === 'incomplete') return 'incomplete (back it up again)';
  if (check.state === 'damaged') return `DAMAGED: ${check.problem} (back the session up again)`;
  return check.verified ? 'stored, verified' : 'stored';
}

/**
 * The backups a target holds with their checks, and the queued jobs for it: `json` is what
 * `sat backups --json` prints and `GET /api/backups` answers (an unreachable target is
 * `unavailable`, not an error).
 *
 * @example
 * const { json } = await backupsListing(config, await backupTarget(config), false);
 */
export async function backupsListing(config: SatConfig, target: StorageTarget, verify: boolean) {
  let backups: BackupListing[] = [];
  let unavailable: string | undefined;
  const checks: BackupCheck[] = [];
  try {
    backups = await listBackups(target);
    for (const backup of backups) checks.push(await checkBackup(target, backup, { verify }));
  } catch (error) {
    if (!isSatError(error, 'TARGET_UNAVAILABLE')) throw error;
    unavailable = error.message;
  }
  const queued = listBackupQueue(config).filter(
    (job) => job.target.name === target.name && job.target.location === target.location,
  );
  const json = {
    target: target.name,
    location: target.location,
    backups: backups.map((b, i) => ({ ...b, ...checks[i] })),
    ...(unavailable ? { unavailable } : {}),
    queued: queued.map(({ manifest, ...job }) => ({ ...job, bytes: manifest.bundle.bytes })),
  };
  return { json, backups, checks, queued, unavailable };
}

/** Lists the session backups the target holds, and those still waiting in the queue for it (even when the target is unreachable). */
export const run: HandlerOf<typeof backupsCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const target = await backupTarget(config, options);
  const { json, backups, checks, queued, unavailable } = await backupsListing(
    config,
    target,
    Boolean(options.verify),
  );
  if (options.json) {
    printJson(ctx, json);
    return unavailable || checks.some((check) => check.state === 'damaged') ? 1 : 0;
  }
  if (unavailable) ctx.note(`sat: cannot list the backups: ${unavailable}`);
  const rows = [
    ...backups.map((b, i) => ({
      session: b.session,
      phase: b.phase,
      bytes: b.bytes,
      date: b.modified.toISOString(),
      status: backupStatus(checks[i]),
    })),
    ...queued.map((job) => ({
      session: job.session,
      phase: job.phase,
      bytes: job.manifest.bundle.bytes,
      date: job.createdAt,
      status: `queued, attempt ${job.attempts}, next after ${formatTime(job.nextAttemptAt)}`,
    })),
  ];
  if (rows.length === 0) {
    if (!unavailable)
      ctx.note(
        `no backups in ${target.location} (make one with 'sat backup <session>' or 'sat backup --all')`,
      );
    return unavailable ? 1 : 0;
  }
  printTable(ctx, rows, [
    { header: 'SESSION', value: (r) => r.session },
    { header: 'PHASE', value: (r) => r.phase },
    { header: 'SIZE', value: (r) => formatBytes(r.bytes), align: 'right' },
    { header: 'DATE', value: (r) => formatTime(r.date) },
    { header: 'STATUS', value: (r) => r.status },
  ]);
  return unavailable || checks.some((check) => check.state === 'damaged') ? 1 : 0;
};
