import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';

/** The private folders under `paths.state` where backups and restores stage their files. */
export const WORK_FOLDERS = ['.backup-work', '.restore-work'] as const;

/** A work folder of a run that is not going on any more (before names held a pid: older than this). */
const UNNAMED_STALE_MS = 5 * 60_000;
/** A work folder whose pid still runs is left alone unless older than this (the pid was reused). */
const NAMED_STALE_MS = 24 * 3_600_000;

/** One leftover work folder of a backup or restore that was killed. */
export interface WorkLeftover {
  path: string;
  /** Bytes of the files in it. */
  bytes: number;
  /** `pid 123 is gone`, `older than 5 minutes`. */
  reason: string;
}

/**
 * The name of a new work folder: `<pid>-<uuid>`, so that a later run can tell a killed run's
 * folder from a running one.
 *
 * @example
 * const workDir = join(config.paths.state, '.backup-work', workFolderName());
 */
export function workFolderName(): string {
  return `${process.pid}-${randomUUID()}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function sizeOf(path: string): number {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function staleReason(name: string, ageMs: number): string | undefined {
  const pid = /^(\d+)-/.exec(name)?.[1];
  if (pid === undefined)
    return ageMs > UNNAMED_STALE_MS ? 'left by an earlier run, older than 5 minutes' : undefined;
  if (Number(pid) !== process.pid && !pidAlive(Number(pid))) return `pid ${pid} is gone`;
  return ageMs > NAMED_STALE_MS ? 'older than a day' : undefined;
}

/**
 * The work folders under `<paths.state>/.backup-work` and `.restore-work` left by runs that were
 * killed: their pid is gone (or, named before pids were, older than 5 minutes).
 *
 * @example
 * for (const { path, bytes } of findWorkLeftovers(config)) console.log(path, bytes);
 */
export function findWorkLeftovers(config: Pick<SatConfig, 'paths'>, now = Date.now()): WorkLeftover[] {
  const found: WorkLeftover[] = [];
  for (const folder of WORK_FOLDERS) {
    const dir = join(config.paths.state, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = lstatSync(path, { throwIfNoEntry: false });
      const reason = stats && staleReason(name, now - stats.mtimeMs);
      if (reason) found.push({ path, bytes: sizeOf(path), reason });
    }
  }
  return found;
}

/**
 * Removes what {@link findWorkLeftovers} finds and returns it. Run at the start of every backup.
 *
 * @example
 * const removed = removeWorkLeftovers(config);
 */
export function removeWorkLeftovers(config: Pick<SatConfig, 'paths'>, now = Date.now()): WorkLeftover[] {
  const removed: WorkLeftover[] = [];
  for (const leftover of findWorkLeftovers(config, now)) {
    try {
      rmSync(leftover.path, { recursive: true, force: true });
      removed.push(leftover);
    } catch {}
  }
  return removed;
}
