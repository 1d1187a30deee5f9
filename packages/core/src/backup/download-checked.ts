import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { isSatError, SatError } from '../errors.js';
import { ChecksumStream } from '../storage/checksum-stream.js';
import { checksumMismatchError } from '../storage/storage-errors.js';
import type { Checksums, StorageTarget } from '../storage/storage-target.js';

/**
 * Downloads `key` from `target` into `file` (mode 0600) and checks it against the size and
 * SHA-256 its manifest lists. Throws `CHECKSUM_MISMATCH` naming `where`, or naming `what`
 * (`phase 1`, `session s1`) when the target itself reports a mismatch; nothing is restored.
 * Returns the size and checksums of what was downloaded.
 *
 * @example
 * await downloadChecked(target, key, '/tmp/bundle.tar.gz', manifest.bundle, where, 'session s1');
 */
export async function downloadChecked(
  target: StorageTarget,
  key: string,
  file: string,
  expected: { bytes: number; sha256: string },
  where: string,
  what: string,
  onProgress?: (bytes: number) => void,
): Promise<{ size: number; checksum: Checksums }> {
  const digest = new ChecksumStream({ onProgress });
  try {
    await pipeline(await target.get(key), digest, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    if (isSatError(error, 'CHECKSUM_MISMATCH'))
      throw new SatError(
        'CHECKSUM_MISMATCH',
        `[core] cannot restore ${what}: ${error.message}; nothing was restored`,
        {
          cause: error,
          details: error.details,
        },
      );
    throw error;
  }
  const got = digest.result();
  if (got.size !== expected.bytes || got.checksum.sha256 !== expected.sha256) {
    throw checksumMismatchError(
      'core',
      where,
      { sha256: expected.sha256, size: expected.bytes },
      { sha256: got.checksum.sha256, size: got.size },
      'it does not match its manifest; nothing was restored',
    );
  }
  return got;
}
