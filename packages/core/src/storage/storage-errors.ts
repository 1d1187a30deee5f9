import { isSatError, SatError } from '../errors.js';

/**
 * True when `error` means "try again later": `TARGET_UNAVAILABLE`, or any `SatError` whose
 * `details.retryable` is true. Compares codes, so it works across copies of core.
 *
 * @example
 * if (isRetryableStorageError(error)) await queueForLater();
 */
export function isRetryableStorageError(error: unknown): boolean {
  if (!isSatError(error)) return false;
  return error.code === 'TARGET_UNAVAILABLE' || error.details.retryable === true;
}

/** A `NOT_FOUND` error for `key` on a target named `target`. */
export function notFoundError(target: string, key: string, where: string): SatError {
  return new SatError('NOT_FOUND', `[${target}] no object ${key} in ${where}`, {
    details: { key, retryable: false },
  });
}

/** A `CHECKSUM_MISMATCH` error: `what` did not have the bytes it should have. */
export function checksumMismatchError(
  target: string,
  what: string,
  expected: { sha256?: string; size?: number },
  actual: { sha256: string; size: number },
  fix: string,
): SatError {
  const parts: string[] = [];
  if (expected.size !== undefined && expected.size !== actual.size)
    parts.push(`${actual.size} bytes, expected ${expected.size}`);
  if (expected.sha256 !== undefined && expected.sha256 !== actual.sha256)
    parts.push(`sha256 ${actual.sha256.slice(0, 16)}…, expected ${expected.sha256.slice(0, 16)}…`);
  return new SatError('CHECKSUM_MISMATCH', `[${target}] ${what} is damaged: ${parts.join(', ')} (${fix})`, {
    details: { expected, actual, retryable: false },
  });
}
