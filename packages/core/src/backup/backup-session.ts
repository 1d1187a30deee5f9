import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { isSatError } from '../errors.js';
import { markerCoversLog, readBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listSessions, readSessionMeta } from '../log/sessions.js';
import { isRetryableStorageError } from '../storage/storage-errors.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { BUNDLE_NAME, backupPrefix, MANIFEST_NAME } from './backup-layout.js';
import type { BundleFile } from './backup-manifest.js';
import { type BackoffOptions, type BackupJob, dropQueuedBackups, enqueueBackup } from './backup-queue.js';
import { writeSessionBundle } from './bundle-writer.js';
import { deliverBackup, locationOf, type PreparedBackup, type TransferProgress } from './deliver-backup.js';
import { readSessionPhase } from './session-phase.js';
import { collectSessionSources, type DatabaseBackup } from './session-sources.js';
import { removeWorkLeftovers, workFolderName } from './work-leftovers.js';

/** Options of {@link backupSession}. */
export interface BackupOptions {
  /** Online backup of the SQLite analytics database; without it the database is left out with a warning. */
  databaseBackup?: DatabaseBackup;
  /** Queue the backup when the target is unavailable (`TARGET_UNAVAILABLE`) instead of failing. Default true. */
  queue?: boolean;
  /** Download the bundle again after upload and hash it. Default true. */
  readBack?: boolean;
  /** gzip level of the bundle, 1-9. Default 6. */
  level?: number;
  backoff?: BackoffOptions;
  /** Called as bytes move (bundle, upload, verify, download stages), for a progress bar. */
  onProgress?: (progress: TransferProgress) => void;
  /** What started the backup, recorded in the session's `backup` event. Default `manual`. */
  trigger?: string;
}

/** What {@link backupSession} did. */
export interface BackupResult {
  session: string;
  phase: string;
  /**
   * `uploaded`: sent and verified; `unchanged`: the target already held this exact bundle;
   * `queued`: the target was unavailable, the bundle waits in the queue.
   */
  status: 'uploaded' | 'unchanged' | 'queued';
  target: string;
  /** Where the bundle is (or will be), for people. */
  location: string;
  bundleKey: string;
  manifestKey: string;
  /** Bytes of the bundle. */
  bytes: number;
  sha256: string;
  md5: string;
  files: BundleFile[];
  warnings: string[];
  /** The session had ended and was closed (compressed and verified) first. */
  closedNow: boolean;
  /** The log in the bundle covers the closed session (else a consistent prefix of an open one). */
  logClosed: boolean;
  /** Whether the backup marker was written (so retention may remove the local log). */
  marked: boolean;
  eventAppended: boolean;
  /** The queued job, when `status` is `queued`. */
  job?: BackupJob;
}

/**
 * Backs up one session to `target`: bundles its compressed log (closing an ended session first;
 * a consistent prefix of the log of an open one), metadata, raw hook payloads, snapshots,
 * handoffs and a consistent copy of the analytics database into a tar.gz with a manifest (each
 * file's size and SHA-256), uploads both under `SubAgentTracking/Phase_<N>/sessions/<session>/`,
 * verifies them (checksums, then a read-back), writes the session's backup marker and, if the
 * session is still open, appends a `backup` event. A bundle the target already holds is not sent
 * again. When the target is unavailable the backup is queued (see `processBackupQueue`).
 *
 * @example
 * const target = new LocalDirectoryTarget({ dir: config.backup.dir });
 * const { status, location } = await backupSession(config, target, 's1');
 */
export async function backupSession(
  config: SatConfig,
  target: StorageTarget,
  session: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  removeWorkLeftovers(config);
  const workDir = join(config.paths.state, '.backup-work', workFolderName());
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  try {
    const found = await collectSessionSources(config, session, {
      databaseBackup: options.databaseBackup,
      workDir,
    });
    const files = sessionLogFiles(config.paths.logs, session);
    const phase = await readSessionPhase(files, found.log.closed ? undefined : found.log.bytes);
    const prefix = backupPrefix(phase, session);
    const bundleKey = `${prefix}${BUNDLE_NAME}`;
    const bundleFile = join(workDir, BUNDLE_NAME);
    const written = await writeSessionBundle(found, phase, bundleFile, {
      level: options.level,
      onProgress: (bytes, total) => options.onProgress?.({ stage: 'bundle', session, bytes, total }),
    });
    const prepared: PreparedBackup = {
      session,
      phase,
      bundleFile,
      trigger: options.trigger ?? 'manual',
      manifest: {
        ...written.manifest,
        createdAt: new Date().toISOString(),
        bundle: {
          key: bundleKey,
          bytes: written.bytes,
          sha256: written.checksum.sha256,
          md5: written.checksum.md5,
        },
      },
    };
    const base = {
      session,
      phase,
      target: target.name,
      bundleKey,
      manifestKey: `${prefix}${MANIFEST_NAME}`,
      bytes: written.bytes,
      sha256: written.checksum.sha256,
      md5: written.checksum.md5,
      files: written.manifest.files,
      warnings: found.warnings,
      closedNow: found.closedNow,
      logClosed: found.log.closed,
    };
    try {
      const delivery = await deliverBackup(config, target, prepared, {
        onProgress: options.onProgress,
        readBack: options.readBack,
      });
      await dropQueuedBackups(config, target, session);
      return {
        ...base,
        status: delivery.status,
        location: delivery.location,
        marked: true,
        eventAppended: delivery.eventAppended,
      };
    } catch (error) {
      if (options.queue === false || !isRetryableStorageError(error)) throw error;
      const job = await enqueueBackup(config, target, prepared, (error as Error).message, {
        backoff: options.backoff,
      });
      return {
        ...base,
        status: 'queued',
        location: locationOf(target, bundleKey),
        marked: false,
        eventAppended: false,
        job,
      };
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * True when an open log holds nothing since its backup but the `backup` events that backup
 * appended (the log is append-only, so the bytes it covered are still its start).
 */
function openLogUnchangedSince(file: string, log: { closed: boolean; bytes: number }): boolean {
  if (log.closed || !existsSync(file)) return false;
  const size = statSync(file).size;
  if (size < log.bytes) return false;
  if (size - log.bytes > 64 * 1024) return false;
  const fd = openSync(file, 'r');
  try {
    const rest = Buffer.alloc(size - log.bytes);
    readSync(fd, rest, 0, rest.length, log.bytes);
    return rest
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .every((line) => {
        try {
          return (JSON.parse(line) as { type?: unknown }).type === 'backup';
        } catch {
          return false;
        }
      });
  } finally {
    closeSync(fd);
  }
}

/** One session of {@link backupSessions}. */
export type BackupSessionsItem =
  | ({ session: string } & BackupResult)
  | { session: string; status: 'up-to-date'; location: string }
  | { session: string; status: 'failed'; error: string; code?: string };

/**
 * Backs up several sessions (every session in the logs by default). A closed session whose
 * backup marker already covers its log on this target (or an open one whose log gained only the
 * `backup` events of its last backup) is skipped as `up-to-date`; a failure of
 * one session is reported and the others go on.
 *
 * @example
 * for (const item of await backupSessions(config, target)) console.log(item.session, item.status);
 */
export async function backupSessions(
  config: SatConfig,
  target: StorageTarget,
  options: BackupOptions & { sessions?: readonly string[] } = {},
): Promise<BackupSessionsItem[]> {
  const sessions = options.sessions ?? (await listSessions(config.paths.logs)).map((info) => info.session);
  const out: BackupSessionsItem[] = [];
  for (const session of sessions) {
    const files = sessionLogFiles(config.paths.logs, session);
    const marker = readBackupMarker(files);
    if (
      marker?.log &&
      marker.target === target.name &&
      marker.key !== undefined &&
      marker.location === locationOf(target, marker.key) &&
      (markerCoversLog(marker, readSessionMeta(files)) || openLogUnchangedSince(files.plain, marker.log))
    ) {
      out.push({ session, status: 'up-to-date', location: marker.location });
      continue;
    }
    try {
      out.push(await backupSession(config, target, session, options));
    } catch (error) {
      out.push({
        session,
        status: 'failed',
        error: (error as Error).message,
        code: isSatError(error) ? error.code : undefined,
      });
    }
  }
  return out;
}
