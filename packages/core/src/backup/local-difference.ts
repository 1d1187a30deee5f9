import { createReadStream, readFileSync, statSync } from 'node:fs';
import { checksumOf } from '../storage/checksum-stream.js';
import type { BundleFile } from './backup-manifest.js';

/** How a local file compares with the copy a backup holds. */
export type LocalComparison = { same: true } | { same: false; difference: string };

async function sha256Of(file: string, bytes?: number): Promise<string> {
  const stream =
    bytes === undefined ? createReadStream(file) : createReadStream(file, { start: 0, end: bytes - 1 });
  return (await checksumOf(stream)).checksum.sha256;
}

/** True when the bytes after `from` are whole lines of sat's own `backup` events. */
function onlyBackupEventsAfter(file: string, from: number): boolean {
  const rest = readFileSync(file).subarray(from).toString('utf8');
  if (!rest.endsWith('\n')) return false;
  return rest
    .split('\n')
    .slice(0, -1)
    .every((line) => {
      try {
        return (JSON.parse(line) as { type?: unknown }).type === 'backup';
      } catch {
        return false;
      }
    });
}

/**
 * Compares a local file with a backed-up one. An open session's log that holds the backed-up
 * bytes followed only by the `backup` events that backup appended counts as the same (restoring
 * would only drop those). Otherwise the difference names size, SHA-256 prefix and mtime of both.
 *
 * @example
 * const c = await compareWithBackup('/logs/s1.jsonl', entry, true);
 * if (!c.same) console.log(c.difference); // 'local 2.1 KB sha256 1a2b3c4d… mtime ..., backup ...'
 */
export async function compareWithBackup(
  file: string,
  entry: Pick<BundleFile, 'bytes' | 'sha256' | 'mtime'>,
  isOpenLog: boolean,
): Promise<LocalComparison> {
  const stat = statSync(file);
  if (stat.size === entry.bytes && (await sha256Of(file)) === entry.sha256) return { same: true };
  if (
    isOpenLog &&
    stat.size > entry.bytes &&
    entry.bytes > 0 &&
    (await sha256Of(file, entry.bytes)) === entry.sha256 &&
    onlyBackupEventsAfter(file, entry.bytes)
  )
    return { same: true };
  const local = await sha256Of(file);
  return {
    same: false,
    difference: `local ${stat.size} B, sha256 ${local.slice(0, 12)}…, modified ${stat.mtime.toISOString()}; backup ${entry.bytes} B, sha256 ${entry.sha256.slice(0, 12)}…, modified ${entry.mtime}${stat.size > entry.bytes ? ' (the local file is longer: events were written after the backup)' : ''}`,
  };
}
