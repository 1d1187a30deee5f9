import { SatError } from '../errors.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { type BackupManifest, parseManifest } from './backup-manifest.js';

/**
 * Reads a small object whole (a manifest), refusing one larger than `limit` bytes (default
 * 64 MiB) with `INVALID_BUNDLE`.
 *
 * @example
 * const text = (await readSmallObject(target, 'SubAgentTracking/Archive/Phase_1/manifest.json')).toString('utf8');
 */
export async function readSmallObject(
  target: StorageTarget,
  key: string,
  limit = 64 * 1024 * 1024,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await target.get(key)) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new SatError(
        'INVALID_BUNDLE',
        `[core] ${key} on ${target.location} is too large to be a manifest`,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and checks the backup manifest at `key` (at most 16 MiB, as inside a bundle); throws
 * `INVALID_BUNDLE` naming the key.
 *
 * @example
 * const manifest = await readBackupManifest(target, 'SubAgentTracking/Phase_0/sessions/s1/manifest.json');
 */
export async function readBackupManifest(target: StorageTarget, key: string): Promise<BackupManifest> {
  return parseManifest((await readSmallObject(target, key, 16 * 1024 * 1024)).toString('utf8'), key);
}
