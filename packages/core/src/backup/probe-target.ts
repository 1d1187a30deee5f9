import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isSatError } from '../errors.js';
import { isRetryableStorageError } from '../storage/storage-errors.js';
import type { StorageCapabilities, StorageTarget } from '../storage/storage-target.js';
import { BACKUP_ROOT } from './backup-layout.js';
import { uploadVerified } from './verified-upload.js';

/** What {@link probeStorageTarget} found. */
export interface TargetProbe {
  ok: boolean;
  target: string;
  location: string;
  capabilities: StorageCapabilities;
  /** Time of the whole round trip (put, stat, read-back, delete), in ms. */
  roundTripMs: number;
  /** Why it failed (code and message; never a credential). */
  error?: { code: string; message: string; retryable: boolean };
}

/**
 * Checks that `target` works end to end: uploads a small random object under
 * `SubAgentTracking/.probe/`, verifies its checksums and reads it back, then deletes it.
 *
 * @example
 * const { ok, error } = await probeStorageTarget(target); // `sat backup --test`
 */
export async function probeStorageTarget(target: StorageTarget): Promise<TargetProbe> {
  const started = performance.now();
  const key = `${BACKUP_ROOT}/.probe/${randomUUID()}.bin`;
  const data = randomBytes(64 * 1024);
  const expected = {
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('hex'),
  };
  const base = { target: target.name, location: target.location, capabilities: target.capabilities };
  try {
    await uploadVerified(target, key, () => data, expected);
    await target.delete(key);
    return { ...base, ok: true, roundTripMs: performance.now() - started };
  } catch (error) {
    await target.delete(key).catch(() => undefined);
    return {
      ...base,
      ok: false,
      roundTripMs: performance.now() - started,
      error: {
        code: isSatError(error) ? error.code : 'UNEXPECTED',
        message: (error as Error).message,
        retryable: isRetryableStorageError(error),
      },
    };
  }
}
