import {
  type BackupSessionsItem,
  backupSession,
  backupSessions,
  probeStorageTarget,
  processBackupQueue,
  type QueueRunResult,
} from '@sat/core';
import { backupTarget, sqliteDatabaseBackup } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatDuration, formatTime, printJson, printTable } from '../output.js';
import type { backupCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';
import { transferBar } from '../transfer-progress.js';

/** One row of the output, whatever produced it. */
interface Row {
  session: string;
  status: string;
  phase?: string;
  bytes?: number;
  location?: string;
  detail?: string;
}

function rowOf(item: BackupSessionsItem): Row {
  if (item.status === 'failed') return { session: item.session, status: 'failed', detail: item.error };
  if (item.status === 'up-to-date')
    return { session: item.session, status: 'up to date', location: item.location };
  const detail =
    item.status === 'queued'
      ? `target unavailable, queued (next try after ${formatTime(item.job?.nextAttemptAt) || '?'})`
      : item.logClosed
        ? 'closed session, verified'
        : 'open session: its log so far, verified';
  return {
    session: item.session,
    status: item.status,
    phase: item.phase,
    bytes: item.bytes,
    location: item.location,
    detail,
  };
}

function queueRows(run: QueueRunResult): Row[] {
  return run.jobs
    .filter((job) => job.status !== 'not-due')
    .map((job) => ({
      session: job.session,
      status:
        job.status === 'uploaded' || job.status === 'unchanged' ? `${job.status} (from queue)` : job.status,
      location: job.delivery?.location,
      detail: job.error,
    }));
}

/** Backs up sessions (bundle, upload, verify) to the configured target, after retrying queued backups. */
export const run: HandlerOf<typeof backupCommand> = async (ctx, [session], options) => {
  const config = ctx.config();
  const target = await backupTarget(config, options);

  if (options.test) {
    const probe = await probeStorageTarget(target);
    if (options.json) printJson(ctx, probe);
    else if (probe.ok)
      ctx.print(
        `ok: ${target.name} target ${target.location} works (upload, checksums, read-back, delete in ${formatDuration(probe.roundTripMs)})`,
      );
    else ctx.print(`failed: ${target.name} target ${target.location}: ${probe.error?.message}`);
    return probe.ok ? 0 : 1;
  }
  if (session !== undefined && options.all) throw new UsageError('give a session or --all, not both');

  const bar = await transferBar(ctx);
  const started = performance.now();
  let rows: Row[] = [];
  let items: BackupSessionsItem[] = [];
  let queue: QueueRunResult;
  const common = { databaseBackup: sqliteDatabaseBackup(), onProgress: bar.update };
  try {
    // A person asked: queued backups for this target are tried now, whatever their schedule.
    queue = await processBackupQueue(config, target, { ignoreSchedule: true, onProgress: bar.update });
    rows = queueRows(queue);
    if (session !== undefined) {
      const resolved = await resolveSession(config.paths.logs, session);
      items = [{ ...(await backupSession(config, target, resolved, common)) }];
    } else if (options.all) {
      items = await backupSessions(config, target, common);
    }
  } finally {
    bar.stop();
  }
  rows.push(...items.map(rowOf));
  const failed = rows.some((row) => row.status === 'failed');

  if (options.json) {
    printJson(ctx, { target: target.name, location: target.location, queue, sessions: items });
    return failed ? 1 : 0;
  }
  for (const item of items)
    if ('warnings' in item) for (const warning of item.warnings) ctx.note(`sat: ${item.session}: ${warning}`);
  if (rows.length === 0) {
    ctx.print(
      session === undefined && !options.all
        ? `the backup queue is empty: nothing to retry for ${target.location} (give a session id, 'active' or --all to back up now)`
        : `nothing to back up to ${target.location}`,
    );
    return 0;
  }
  printTable(ctx, rows, [
    { header: 'SESSION', value: (r) => r.session },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'PHASE', value: (r) => r.phase },
    { header: 'SIZE', value: (r) => (r.bytes === undefined ? '' : formatBytes(r.bytes)), align: 'right' },
    { header: 'LOCATION', value: (r) => r.location },
    { header: 'NOTE', value: (r) => r.detail },
  ]);
  const queued = rows.filter((r) => r.status === 'queued' || r.status === 'retry-later').length;
  if (queued > 0)
    ctx.note(
      `sat: ${queued} backup(s) wait in the queue for ${target.location}; the next 'sat backup' retries them`,
    );
  ctx.note(`sat: done in ${formatDuration(performance.now() - started)}`);
  return failed ? 1 : 0;
};
