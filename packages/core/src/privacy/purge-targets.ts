import { BACKUP_ROOT, parseBackupKey } from '../backup/backup-layout.js';
import type { SatConfig } from '../config/config-schema.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { type PurgeJob, withPurgeQueue } from './purge-queue.js';

/** A target whose backups of the purged sessions are deleted, opened only when needed. */
export interface PurgeTarget {
  /** The target's kind, as the user names it (`local`, `gdrive`, `s3`, `mongo`). */
  name: string;
  /** Where it is, for people (a folder, `s3://bucket`); never a credential. */
  location: string;
  /** Opens it; a failure (unreachable, refused by local-only mode) queues the deletes. */
  open: () => Promise<StorageTarget>;
}

/** What a purge did on one target. */
export interface PurgeTargetResult {
  name: string;
  location: string;
  /** `deleted` (the keys are gone), `would-delete` (dry run), `queued` (not reached: retried by a later purge). */
  status: 'deleted' | 'would-delete' | 'queued';
  /** The backup keys deleted (or that would be). */
  keys: string[];
  /** The sessions of earlier purges whose deletes on this target were retried and done now. */
  retried: string[];
  /** Why the target was not reached. */
  error?: string;
}

/** The keys of the backups of `sessions` a target holds (every phase folder). */
async function sessionKeys(target: StorageTarget, sessions: ReadonlySet<string>): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of target.list(`${BACKUP_ROOT}/`)) {
    const parsed = parseBackupKey(object.key);
    if (parsed && sessions.has(parsed.session)) keys.push(object.key);
  }
  return keys.sort();
}

const sameTarget = (job: PurgeJob, target: { name: string; location: string }) =>
  job.target.name === target.name && job.target.location === target.location;

/**
 * Deletes the backups of `sessions` on `spec`'s target, and those of earlier purges queued for
 * it. When the target cannot be opened or a delete fails, every one of `sessions` is queued for
 * it (`<state>/purge-queue.json`) and the result says why; a dry run only lists the keys (and
 * queues nothing).
 *
 * @example
 * await purgeOnTarget(config, spec, ['b1f2...'], false);
 */
export async function purgeOnTarget(
  config: Pick<SatConfig, 'paths'>,
  spec: PurgeTarget,
  sessions: readonly string[],
  dryRun: boolean,
): Promise<PurgeTargetResult> {
  const where = { name: spec.name, location: spec.location };
  const queued = (await withPurgeQueue(config, (jobs) => ({ jobs, result: jobs }))).filter((job) =>
    sameTarget(job, where),
  );
  const retry = dryRun ? [] : queued.map((job) => job.session).filter((s) => !sessions.includes(s));
  const all = new Set([...sessions, ...retry]);
  try {
    const target = await spec.open();
    const keys = await sessionKeys(target, all);
    if (dryRun) return { ...where, status: 'would-delete', keys, retried: [] };
    for (const key of keys) await target.delete(key);
    await withPurgeQueue(config, (jobs) => ({
      jobs: jobs.filter((job) => !(all.has(job.session) && sameTarget(job, where))),
      result: undefined,
    }));
    return { ...where, status: 'deleted', keys, retried: retry };
  } catch (error) {
    const message = (error as Error).message;
    if (!dryRun) await queueDeletes(config, where, sessions, message);
    return { ...where, status: 'queued', keys: [], retried: [], error: message };
  }
}

async function queueDeletes(
  config: Pick<SatConfig, 'paths'>,
  where: { name: string; location: string },
  sessions: readonly string[],
  error: string,
): Promise<void> {
  const now = new Date().toISOString();
  await withPurgeQueue(config, (jobs) => {
    const next = jobs.map((job) =>
      sameTarget(job, where) ? { ...job, attempts: job.attempts + 1, lastError: error } : job,
    );
    for (const session of sessions)
      if (!next.some((job) => job.session === session && sameTarget(job, where)))
        next.push({ session, target: where, queuedAt: now, attempts: 1, lastError: error });
    return { jobs: next, result: undefined };
  });
}
