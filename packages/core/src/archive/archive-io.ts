import { pipeline } from 'node:stream/promises';
import { phaseSegment } from '../backup/backup-layout.js';
import { readSmallObject } from '../backup/read-manifest.js';
import { isSatError } from '../errors.js';
import { ChecksumStream, discard } from '../storage/checksum-stream.js';
import { checksumMismatchError } from '../storage/storage-errors.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { type ArchiveManifest, parseArchiveManifest } from './archive-manifest.js';
import { type ArchiveState, supportsArchiveTier } from './archive-tier.js';

/** Whether two phases name the same phase folder (`2` and `'2'`, `a b` and `a_b`). */
export function samePhase(a: string | number, b: string | number): boolean {
  return phaseSegment(a) === phaseSegment(b);
}

/** Orders phases naturally (`2` before `10`, names alphabetically). */
export function comparePhases(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The archive manifest beside a phase archive, or undefined when there is none. */
export async function readArchiveManifestIfAny(
  target: StorageTarget,
  key: string,
): Promise<ArchiveManifest | undefined> {
  if (!(await target.stat(key))) return undefined;
  return parseArchiveManifest(
    (await readSmallObject(target, key)).toString('utf8'),
    `${key} on ${target.location}`,
  );
}

/** The archive state of `key` when the target has an archive tier, else `available`. */
export async function archiveStateOf(target: StorageTarget, key: string): Promise<ArchiveState> {
  return supportsArchiveTier(target) ? (await target.archiveState(key)).state : 'available';
}

/**
 * Downloads `key` again and compares its size and SHA-256 with `expected`, unless the object is
 * already in an archive tier (it cannot be read without a restore; the checksums the target
 * reported were compared before). Returns whether it was read back.
 */
export async function readBackUnlessArchived(
  target: StorageTarget,
  key: string,
  expected: { bytes: number; sha256: string },
  onBytes?: (bytes: number) => void,
): Promise<{ readBack: boolean; state: ArchiveState }> {
  const state = await archiveStateOf(target, key);
  if (state === 'archived' || state === 'restoring') return { readBack: false, state };
  const digest = new ChecksumStream({ onProgress: onBytes });
  await pipeline(await target.get(key), digest, discard());
  const got = digest.result();
  if (got.size !== expected.bytes || got.checksum.sha256 !== expected.sha256) {
    throw checksumMismatchError(
      'core',
      `the read-back of ${key} on ${target.name} target ${target.location}`,
      { sha256: expected.sha256, size: expected.bytes },
      { sha256: got.checksum.sha256, size: got.size },
      'the upload was not stored as sent; archive the phase again',
    );
  }
  return { readBack: true, state };
}

/** Re-throws anything but `NOT_FOUND`. */
export function unlessNotFound(error: unknown): undefined {
  if (isSatError(error, 'NOT_FOUND')) return undefined;
  throw error;
}
