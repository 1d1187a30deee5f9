import { randomUUID } from 'node:crypto';
import { describeStorageTarget } from '@sat/core/testing';
import { afterAll, beforeAll } from 'vitest';
import type { S3Target } from '../src/index.js';
import { BUCKET, flipStoredByte, targetOn } from './helpers.js';
import { type S3Standin, startS3Standin } from './s3-standin.js';

let s3: S3Standin;
beforeAll(async () => {
  s3 = await startS3Standin({ buckets: [BUCKET] });
});
afterAll(async () => {
  await s3?.close();
});

// Against s3rver through the stand-in (which passes these calls through unchanged), with a key
// prefix so the target's own prefix handling is covered, and 5 MiB parts so the 20 MiB object
// goes up as a multipart upload.
describeStorageTarget('s3', () => targetOn(s3, { prefix: `contract/${randomUUID()}` }), {
  corrupt: async (target: S3Target, key) => flipStoredByte(s3, target, key),
  dispose: async (target) => target.client.destroy(),
});
