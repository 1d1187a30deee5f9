import { closeSync, openSync, readSync, statfsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import type { BackupManifest } from './backup-manifest.js';

/** Disk space a restore always leaves free. */
const FREE_MARGIN_BYTES = 256 * 1024 * 1024;
/** The default cap is at most this many times the bundle's size. */
const MAX_EXPANSION = 10;
/** How much of a staged log is read to find its first event. */
const HEAD_BYTES = 64 * 1024;

/** Free bytes of the file system that holds `dir`, or undefined when it cannot be asked. */
function freeBytes(dir: string): number | undefined {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/**
 * The most bytes a restore of a `bundleBytes` bundle may expand to: `backup.restoreMaxBytes`
 * when set, else the free space of `dir` less a margin and (unless `diskOnly`) at most 10x the
 * bundle.
 *
 * @example
 * const { cap } = restoreCap(config, 1_048_576, config.paths.state); // at most 10 MiB
 */
export function restoreCap(
  config: Pick<SatConfig, 'backup'>,
  bundleBytes: number,
  dir: string,
  diskOnly = false,
): { cap: number; why: string } {
  if (config.backup.restoreMaxBytes !== undefined)
    return { cap: config.backup.restoreMaxBytes, why: 'backup.restoreMaxBytes' };
  const free = freeBytes(dir);
  const expansion = diskOnly ? Number.POSITIVE_INFINITY : bundleBytes * MAX_EXPANSION;
  if (free !== undefined && free - FREE_MARGIN_BYTES < expansion)
    return { cap: Math.max(0, free - FREE_MARGIN_BYTES), why: `the free disk space of ${dir} less 256 MiB` };
  return { cap: expansion, why: `${MAX_EXPANSION}x the bundle's ${bundleBytes} bytes` };
}

function tooLarge(where: string, what: string, cap: number, why: string): SatError {
  return new SatError(
    'INVALID_BUNDLE',
    `[core] ${where}: ${what}, more than the restore limit of ${cap} bytes (${why}); nothing was restored (raise backup.restoreMaxBytes if the bundle is genuine)`,
    { details: { cap } },
  );
}

/**
 * Refuses (`INVALID_BUNDLE`, before anything is downloaded) a manifest whose files add up to
 * more than the restore limit: `backup.restoreMaxBytes`, else the free disk space less a margin.
 *
 * @example
 * assertWithinCap(config, manifest, config.paths.state, 'backup of s1');
 */
export function assertWithinCap(
  config: Pick<SatConfig, 'backup'>,
  manifest: BackupManifest & { bundle: { bytes: number } },
  dir: string,
  where: string,
): void {
  const total = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  const { cap, why } = restoreCap(config, manifest.bundle.bytes, dir, true);
  if (total > cap) throw tooLarge(where, `its manifest declares ${total} bytes`, cap, why);
}

/**
 * A counter of the bytes a bundle expands to while it is taken apart; it throws
 * (`INVALID_BUNDLE`) as soon as they pass {@link restoreCap}, so no more is ever written.
 *
 * @example
 * const count = expansionGuard(config, manifest.bundle.bytes, workDir, where);
 * await extractBundle(file, manifest, staging, where, count);
 */
export function expansionGuard(
  config: Pick<SatConfig, 'backup'>,
  bundleBytes: number,
  dir: string,
  where: string,
): (n: number) => void {
  const { cap, why } = restoreCap(config, bundleBytes, dir);
  let total = 0;
  return (n) => {
    total += n;
    if (total > cap) throw tooLarge(where, `it expands to more than ${cap} bytes`, cap, why);
  };
}

/** The time of the first event of a staged log (plain or gzip), or undefined. */
export function firstEventTime(stagedLog: string, compressed: boolean): number | undefined {
  const fd = openSync(stagedLog, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    head = buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  let text: string;
  try {
    text = (compressed ? gunzipSync(head, { finishFlush: 2 }) : head).toString('utf8');
  } catch {
    return undefined;
  }
  const line = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  try {
    const ts = Date.parse((JSON.parse(line) as { ts?: string }).ts ?? '');
    return Number.isNaN(ts) ? undefined : ts;
  } catch {
    return undefined;
  }
}

/** The times a bundle's files may carry: from the session's first event to when the bundle was made (never past now). */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * The time range of a bundle: from its first event (or, unknown, the bundle's creation) to its
 * `createdAt`, never later than `now`.
 *
 * @example
 * const range = bundleTimeRange(manifest, firstEventTime(stagedLog, true));
 */
export function bundleTimeRange(
  manifest: Pick<BackupManifest, 'createdAt'>,
  firstEvent: number | undefined,
  now = Date.now(),
): TimeRange {
  const created = Date.parse(manifest.createdAt ?? '');
  const to = Number.isNaN(created) ? now : Math.min(created, now);
  const from = firstEvent !== undefined && firstEvent <= to ? firstEvent : to;
  return { from, to };
}

/**
 * A file's time from its manifest, clamped to `range`; `INVALID_BUNDLE` when it is not a time.
 *
 * @example
 * clampedTime('2099-01-01T00:00:00Z', range, 'backup of s1', 'handoffs/latest-s1.md'); // range.to
 */
export function clampedTime(mtime: string, range: TimeRange, where: string, path: string): Date {
  const time = Date.parse(mtime);
  if (Number.isNaN(time))
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where}: entry ${JSON.stringify(path)} refused: its time ${JSON.stringify(mtime)} is not a date; nothing was restored`,
      { details: { entry: path } },
    );
  return new Date(Math.min(range.to, Math.max(range.from, time)));
}
