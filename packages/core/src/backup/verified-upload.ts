import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumStream, discard } from '../storage/checksum-stream.js';
import { checksumMismatchError } from '../storage/storage-errors.js';
import type { PutResult, StorageTarget } from '../storage/storage-target.js';

/** What an uploaded object must be. */
export interface ExpectedObject {
  bytes: number;
  sha256: string;
  md5?: string;
}

/** Options of {@link uploadVerified}. */
export interface VerifiedUploadOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Download the object again and hash it (default true); otherwise only the reported checksums are compared. */
  readBack?: boolean;
  /** Told the progress of the upload (`upload`) and of the read-back (`verify`). */
  onProgress?: (stage: 'upload' | 'verify', bytes: number, total: number) => void;
}

function compare(
  target: StorageTarget,
  key: string,
  what: string,
  expected: ExpectedObject,
  actual: { size: number; sha256: string; md5?: string },
): void {
  const md5Differs = expected.md5 !== undefined && actual.md5 !== undefined && expected.md5 !== actual.md5;
  if (actual.size !== expected.bytes || actual.sha256 !== expected.sha256 || md5Differs) {
    throw checksumMismatchError(
      'core',
      `${what} of ${key} on ${target.name} target ${target.location}`,
      { sha256: expected.sha256, size: expected.bytes },
      { sha256: actual.sha256, size: actual.size },
      'the upload was not stored as sent; run the backup again',
    );
  }
}

/**
 * Uploads an object and proves it arrived whole: the checksums the target reports for the put
 * and then for a `stat` must match `expected`, and (by default) a full read-back must hash to
 * the same SHA-256. Throws `CHECKSUM_MISMATCH` otherwise, and the target's own errors as they are.
 *
 * @example
 * await uploadVerified(target, key, () => createReadStream(file), { bytes, sha256 });
 */
export async function uploadVerified(
  target: StorageTarget,
  key: string,
  source: () => Readable | Buffer,
  expected: ExpectedObject,
  options: VerifiedUploadOptions = {},
): Promise<PutResult> {
  const put = await target.put(key, source(), {
    contentType: options.contentType,
    metadata: options.metadata,
    expectedSha256: expected.sha256,
    onProgress: (bytes) => options.onProgress?.('upload', bytes, expected.bytes),
  });
  compare(target, key, 'the upload', expected, { size: put.size, ...put.checksum });
  const stat = await target.stat(key);
  compare(target, key, 'the stored copy', expected, {
    size: stat?.size ?? -1,
    sha256: stat?.checksum.sha256 ?? 'missing',
    md5: stat?.checksum.md5,
  });
  if (options.readBack !== false) {
    const digest = new ChecksumStream({
      onProgress: (bytes) => options.onProgress?.('verify', bytes, expected.bytes),
    });
    await pipeline(await target.get(key), digest, discard());
    const read = digest.result();
    compare(target, key, 'the read-back', expected, { size: read.size, ...read.checksum });
  }
  return put;
}
