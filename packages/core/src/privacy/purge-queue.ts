import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { FileLock } from '../log/lock.js';
import { PURGE_QUEUE_FILE } from './session-footprint.js';

const FORMAT = 'sat-purge-queue/1';

/** A purge that could not reach one target yet: its backups there are deleted on a later run. */
export interface PurgeJob {
  session: string;
  /** The target (kind and location, never a credential). */
  target: { name: string; location: string };
  queuedAt: string;
  attempts: number;
  lastError: string;
}

interface QueueFile {
  format: typeof FORMAT;
  jobs: PurgeJob[];
}

function queueFile(config: Pick<SatConfig, 'paths'>): string {
  return join(config.paths.state, PURGE_QUEUE_FILE);
}

function readQueue(file: string): QueueFile {
  if (!existsSync(file)) return { format: FORMAT, jobs: [] };
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as QueueFile;
    if (value.format === FORMAT && Array.isArray(value.jobs)) return value;
  } catch {}
  throw new SatError(
    'IO_ERROR',
    `[core] purge queue ${file} is unreadable (move it aside; the purged sessions' tombstones are kept, run 'sat purge <session>' again to retry their remote backups)`,
    { details: { file } },
  );
}

/**
 * Changes the purge queue (`<state>/purge-queue.json`) under its lock and returns what `change`
 * returns. The queue names the sessions whose remote backups are still to be deleted: it is the
 * one file a purge keeps that holds their ids, until every target was reached.
 *
 * @example
 * await withPurgeQueue(config, (jobs) => jobs.length);
 */
export async function withPurgeQueue<T>(
  config: Pick<SatConfig, 'paths'>,
  change: (jobs: PurgeJob[]) => { jobs: PurgeJob[]; result: T },
): Promise<T> {
  mkdirSync(join(config.paths.state, '.locks'), { recursive: true, mode: 0o700 });
  const file = queueFile(config);
  return new FileLock(join(config.paths.state, '.locks', 'purge-queue.lock'), { timeoutMs: 30_000 }).withLock(
    () => {
      const queue = readQueue(file);
      const { jobs, result } = change(queue.jobs);
      if (JSON.stringify(jobs) !== JSON.stringify(queue.jobs))
        writeFileAtomic(file, `${JSON.stringify({ format: FORMAT, jobs }, null, 2)}\n`);
      return result;
    },
  );
}

/** The purges waiting for a target (for every target). */
export function listPurgeQueue(config: Pick<SatConfig, 'paths'>): PurgeJob[] {
  return readQueue(queueFile(config)).jobs;
}
