import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { FileLock } from '../log/lock.js';
import { delayFor } from '../retry.js';
import { isRetryableStorageError } from '../storage/storage-errors.js';
import type { StorageTarget } from '../storage/storage-target.js';
import {
  type Delivery,
  deliverBackup,
  type PreparedBackup,
  type TransferProgress,
} from './deliver-backup.js';

/** The queue file inside `paths.state`. */
export const BACKUP_QUEUE_FILE = 'backup-queue.json';
const FORMAT = 'sat-backup-queue/1';

/** One backup waiting for its target. */
export interface BackupJob {
  /** Idempotency key: `<session>:<bundle sha256>`. */
  id: string;
  session: string;
  phase: string;
  /** The target it waits for (kind and location; never a credential). */
  target: { name: string; location: string };
  /** The bundle's file name in `<paths.state>/backup-queue/`. */
  bundleFile: string;
  /** The manifest that goes beside the bundle. */
  manifest: PreparedBackup['manifest'];
  /** What started the backup. */
  trigger?: string;
  createdAt: string;
  attempts: number;
  /** Not retried before this time (ISO), unless asked to. */
  nextAttemptAt: string;
  /** Why the last attempt failed. */
  lastError?: string;
}

interface QueueFile {
  format: typeof FORMAT;
  jobs: BackupJob[];
}

/**
 * How retries of a queued backup are spaced: `baseMs * 2^(attempts-1)`, at most `maxMs`, with
 * equal jitter (50-100% of it), so a persisted next attempt is never "right now".
 */
export interface BackoffOptions {
  /** Default 30,000 ms. */
  baseMs?: number;
  /** Default 6 hours. */
  maxMs?: number;
}

/** The files of the queue. */
export function backupQueuePaths(config: Pick<SatConfig, 'paths'>): {
  file: string;
  spool: string;
  lock: string;
  runLock: string;
} {
  return {
    file: join(config.paths.state, BACKUP_QUEUE_FILE),
    spool: join(config.paths.state, 'backup-queue'),
    lock: join(config.paths.state, '.locks', 'backup-queue.lock'),
    runLock: join(config.paths.state, '.locks', 'backup-queue-run.lock'),
  };
}

/**
 * The delay before retry number `attempts + 1`: exponential, capped, with jitter so that many
 * machines whose target came back at once do not all retry at the same moment.
 *
 * @example
 * retryDelayMs(1); // between 15 s and 30 s
 * retryDelayMs(4); // between 2 and 4 minutes
 */
export function retryDelayMs(attempts: number, options: BackoffOptions = {}, random = Math.random): number {
  return delayFor(attempts - 1, {
    baseMs: options.baseMs ?? 30_000,
    maxMs: options.maxMs ?? 6 * 3_600_000,
    jitter: 'equal',
    random,
  });
}

function readQueue(file: string): QueueFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: FORMAT, jobs: [] };
    throw error;
  }
  try {
    const value = JSON.parse(text) as QueueFile;
    if (value.format === FORMAT && Array.isArray(value.jobs)) return value;
  } catch {}
  throw new SatError(
    'IO_ERROR',
    `[core] backup queue ${file} is unreadable (move it aside and run 'sat backup --all' to queue again)`,
    { details: { file } },
  );
}

function writeQueue(file: string, queue: QueueFile): void {
  writeFileAtomic(file, `${JSON.stringify(queue, null, 2)}\n`);
}

function sameTarget(job: BackupJob, target: StorageTarget): boolean {
  return job.target.name === target.name && job.target.location === target.location;
}

async function withQueue<T>(config: Pick<SatConfig, 'paths'>, fn: (queue: QueueFile) => T): Promise<T> {
  const paths = backupQueuePaths(config);
  mkdirSync(config.paths.state, { recursive: true });
  return new FileLock(paths.lock, { timeoutMs: 30_000 }).withLock(() => {
    const queue = readQueue(paths.file);
    const before = JSON.stringify(queue);
    const result = fn(queue);
    if (JSON.stringify(queue) !== before) writeQueue(paths.file, queue);
    return result;
  });
}

/** The backups waiting in the queue (for every target). */
export function listBackupQueue(config: Pick<SatConfig, 'paths'>): BackupJob[] {
  return readQueue(backupQueuePaths(config).file).jobs;
}

/**
 * Puts a prepared backup in the persistent queue: its bundle moves to
 * `<paths.state>/backup-queue/`, and the job is written to `backup-queue.json` atomically, under
 * a lock. The same bundle of the same session is queued once; a newer bundle of a session
 * replaces an older one waiting for the same target.
 */
export async function enqueueBackup(
  config: Pick<SatConfig, 'paths'>,
  target: StorageTarget,
  prepared: PreparedBackup,
  reason: string,
  options: { backoff?: BackoffOptions; now?: Date } = {},
): Promise<BackupJob> {
  const paths = backupQueuePaths(config);
  const now = options.now ?? new Date();
  const id = `${prepared.session}:${prepared.manifest.bundle.sha256}`;
  const name = `${prepared.session}-${prepared.manifest.bundle.sha256.slice(0, 16)}.tar.gz`;
  return withQueue(config, (queue) => {
    const existing = queue.jobs.find((job) => job.id === id && sameTarget(job, target));
    if (existing) return existing;
    mkdirSync(paths.spool, { recursive: true });
    const spooled = join(paths.spool, name);
    try {
      renameSync(prepared.bundleFile, spooled);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      copyFileSync(prepared.bundleFile, spooled);
    }
    for (const older of queue.jobs.filter(
      (job) => job.session === prepared.session && sameTarget(job, target),
    )) {
      if (older.bundleFile !== name) removeQuietly(join(paths.spool, older.bundleFile));
    }
    queue.jobs = queue.jobs.filter((job) => !(job.session === prepared.session && sameTarget(job, target)));
    const job: BackupJob = {
      id,
      session: prepared.session,
      phase: prepared.phase,
      target: { name: target.name, location: target.location },
      bundleFile: name,
      manifest: prepared.manifest,
      ...(prepared.trigger ? { trigger: prepared.trigger } : {}),
      createdAt: now.toISOString(),
      attempts: 1,
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(1, options.backoff)).toISOString(),
      lastError: reason,
    };
    queue.jobs.push(job);
    return job;
  });
}

/** Removes jobs of `session` for `target` (a newer backup of it has just been delivered). */
export async function dropQueuedBackups(
  config: Pick<SatConfig, 'paths'>,
  target: StorageTarget,
  session: string,
): Promise<void> {
  if (!existsSync(backupQueuePaths(config).file)) return;
  const spool = backupQueuePaths(config).spool;
  await withQueue(config, (queue) => {
    for (const job of queue.jobs.filter((j) => j.session === session && sameTarget(j, target)))
      removeQuietly(join(spool, job.bundleFile));
    queue.jobs = queue.jobs.filter((j) => !(j.session === session && sameTarget(j, target)));
  });
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/** What happened to one queued job. */
export interface QueueJobResult {
  id: string;
  session: string;
  /**
   * `uploaded` / `unchanged`: delivered (then removed from the queue); `retry-later`: the target
   * is still unavailable; `failed`: another error (kept, retried later); `dropped`: its bundle
   * file was gone; `not-due`: waiting for its next attempt time.
   */
  status: 'uploaded' | 'unchanged' | 'retry-later' | 'failed' | 'dropped' | 'not-due';
  error?: string;
  nextAttemptAt?: string;
  delivery?: Delivery;
}

/** What {@link processBackupQueue} did. */
export interface QueueRunResult {
  /** True when another process was working through the queue (nothing was done here). */
  busy: boolean;
  jobs: QueueJobResult[];
  /** Jobs still waiting for this target afterwards. */
  remaining: number;
  /** Jobs waiting for other targets (left alone). */
  otherTargets: number;
}

/** Options of {@link processBackupQueue}. */
export interface ProcessQueueOptions {
  /** Try every job now, whatever its next attempt time (a person asked). Default false. */
  ignoreSchedule?: boolean;
  backoff?: BackoffOptions;
  /** The clock (default: `new Date()`), for tests of retry times. */
  now?: () => Date;
  /** Called as bytes move (bundle, upload, verify, download stages), for a progress bar. */
  onProgress?: (progress: TransferProgress) => void;
  /** Download each bundle again after upload to verify it. Default true. */
  readBack?: boolean;
}

/**
 * Retries the queued backups for `target` whose time has come (all of them with
 * `ignoreSchedule`). One process at a time works through the queue; a delivered job leaves the
 * queue and its bundle file is removed; a bundle the target already holds (same SHA-256) is not
 * sent again. When the target is still unavailable the job is rescheduled with exponential
 * backoff and jitter, and the run stops there.
 *
 * @example
 * const { jobs, remaining } = await processBackupQueue(config, target);
 */
export async function processBackupQueue(
  config: SatConfig,
  target: StorageTarget,
  options: ProcessQueueOptions = {},
): Promise<QueueRunResult> {
  const paths = backupQueuePaths(config);
  const now = options.now ?? (() => new Date());
  if (!existsSync(paths.file)) return { busy: false, jobs: [], remaining: 0, otherTargets: 0 };
  const run = new FileLock(paths.runLock);
  mkdirSync(join(config.paths.state, '.locks'), { recursive: true });
  if (!run.tryAcquire()) {
    const jobs = listBackupQueue(config);
    return {
      busy: true,
      jobs: [],
      remaining: jobs.filter((j) => sameTarget(j, target)).length,
      otherTargets: jobs.filter((j) => !sameTarget(j, target)).length,
    };
  }
  const results: QueueJobResult[] = [];
  try {
    const pending = listBackupQueue(config).filter((job) => sameTarget(job, target));
    let unavailable = false;
    for (const job of pending) {
      if (unavailable || (!options.ignoreSchedule && Date.parse(job.nextAttemptAt) > now().getTime())) {
        results.push({
          id: job.id,
          session: job.session,
          status: 'not-due',
          nextAttemptAt: job.nextAttemptAt,
        });
        continue;
      }
      const bundleFile = join(paths.spool, job.bundleFile);
      if (!existsSync(bundleFile)) {
        await withQueue(config, (queue) => {
          queue.jobs = queue.jobs.filter((j) => j.id !== job.id || !sameTarget(j, target));
        });
        results.push({
          id: job.id,
          session: job.session,
          status: 'dropped',
          error: `its bundle ${bundleFile} is gone`,
        });
        continue;
      }
      try {
        const delivery = await deliverBackup(
          config,
          target,
          {
            session: job.session,
            phase: job.phase,
            manifest: job.manifest,
            bundleFile,
            trigger: job.trigger,
          },
          { onProgress: options.onProgress, readBack: options.readBack },
        );
        await withQueue(config, (queue) => {
          queue.jobs = queue.jobs.filter((j) => j.id !== job.id || !sameTarget(j, target));
        });
        removeQuietly(bundleFile);
        results.push({ id: job.id, session: job.session, status: delivery.status, delivery });
      } catch (error) {
        const retryable = isRetryableStorageError(error);
        const message = (error as Error).message;
        const next = await withQueue(config, (queue) => {
          const stored = queue.jobs.find((j) => j.id === job.id && sameTarget(j, target));
          if (!stored) return undefined;
          stored.attempts += 1;
          stored.lastError = message;
          stored.nextAttemptAt = new Date(
            now().getTime() + retryDelayMs(stored.attempts, options.backoff),
          ).toISOString();
          return stored.nextAttemptAt;
        });
        results.push({
          id: job.id,
          session: job.session,
          status: retryable ? 'retry-later' : 'failed',
          error: message,
          nextAttemptAt: next,
        });
        if (retryable) unavailable = true;
      }
    }
    // Bundle files no job names (left by a crash between two steps) are removed.
    await withQueue(config, (queue) => {
      if (!existsSync(paths.spool)) return;
      const named = new Set(queue.jobs.map((j) => j.bundleFile));
      for (const name of readdirSync(paths.spool))
        if (!named.has(name)) removeQuietly(join(paths.spool, name));
    });
  } finally {
    run.release();
  }
  const left = listBackupQueue(config);
  return {
    busy: false,
    jobs: results,
    remaining: left.filter((j) => sameTarget(j, target)).length,
    otherTargets: left.filter((j) => !sameTarget(j, target)).length,
  };
}
