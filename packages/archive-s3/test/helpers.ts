import { readFileSync, writeFileSync } from 'node:fs';
import { S3Target } from '../src/index.js';
import type { S3TargetOptions } from '../src/s3-target-options.js';
import type { S3Standin } from './s3-standin.js';

/** The bucket every test uses (created by the stand-in). */
export const BUCKET = 'sat-test';

/** A target on the stand-in (or on s3rver itself with `direct`). */
export function targetOn(
  s3: S3Standin,
  options: Partial<S3TargetOptions> & { direct?: boolean } = {},
): S3Target {
  const { direct, ...rest } = options;
  return new S3Target({
    bucket: BUCKET,
    partSize: 5 * 1024 * 1024,
    ...rest,
    clientConfig: {
      endpoint: direct ? s3.s3rverEndpoint : s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: s3.credentials,
      maxAttempts: 3,
      ...rest.clientConfig,
    },
  });
}

/** Flips one byte in the middle of an object's bytes on s3rver's disk (its ETag and checksum record stay). */
export function flipStoredByte(s3: S3Standin, target: S3Target, key: string): void {
  const file = s3.objectFile(BUCKET, target.objectKey(key));
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1]! ^= 0x01;
  writeFileSync(file, bytes);
}
