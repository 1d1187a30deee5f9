import { SatError } from '../errors.js';

/** Longest key, in UTF-8 bytes (S3's limit; Drive and local folders take at least as much). */
export const MAX_KEY_BYTES = 1024;

/** Why `key` is not a valid storage key, or undefined when it is. */
export function storageKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'a key must be a string';
  if (key.length === 0) return 'the key is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\0')) return 'the key holds a NUL character';
  if (key.includes('\\')) return 'the key holds a backslash (use / between folders)';
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'the key is an absolute path';
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '') return 'the key has an empty segment (// or a trailing /)';
    if (segment === '.' || segment === '..') return `the key has a '${segment}' segment`;
  }
  return undefined;
}

/**
 * Throws `INVALID_KEY` unless `key` is a relative `/`-separated path with no empty, `.` or `..`
 * segment, no backslash or NUL, at most {@link MAX_KEY_BYTES} bytes. `target` names the caller
 * in the message.
 *
 * @example
 * assertStorageKey('SubAgentTracking/Phase_0/sessions/s1/bundle.tar.gz'); // fine
 * assertStorageKey('../etc/passwd'); // throws INVALID_KEY
 */
export function assertStorageKey(key: unknown, target = 'storage'): asserts key is string {
  const problem = storageKeyProblem(key);
  if (problem === undefined) return;
  throw new SatError('INVALID_KEY', `[${target}] invalid key ${JSON.stringify(key)}: ${problem}`, {
    details: { key, retryable: false },
  });
}

/**
 * Checks a list prefix: empty (everything), or a key, or a key followed by `/`.
 *
 * @example
 * assertStoragePrefix('SubAgentTracking/'); // fine
 */
export function assertStoragePrefix(prefix: unknown, target = 'storage'): asserts prefix is string {
  if (prefix === '') return;
  if (typeof prefix === 'string' && prefix.endsWith('/')) {
    assertStorageKey(prefix.slice(0, -1), target);
    return;
  }
  assertStorageKey(prefix, target);
}
