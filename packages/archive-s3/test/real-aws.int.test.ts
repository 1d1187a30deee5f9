import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { checksumOf } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { S3Target } from '../src/index.js';

const bucket = process.env.SAT_S3_TEST_BUCKET;
const hasCredentials = Boolean(
  process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE,
);

// Runs only against a real bucket: SAT_S3_TEST_BUCKET plus standard AWS credentials
// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE), optionally AWS_REGION.
describe.skipIf(!bucket || !hasCredentials)('S3Target on real AWS', () => {
  it('round-trips a multipart object with verified checksums, reports its archive state, cleans up', async () => {
    const target = new S3Target({
      bucket: bucket!,
      prefix: `sat-test/${randomUUID()}`,
      partSize: 5 * 1024 * 1024,
    });
    const data = randomBytes(11 * 1024 * 1024);
    const key = 'SubAgentTracking/Archive/Phase_test/phase.tar.gz';
    try {
      const put = await target.put(key, data);
      expect(put.checksum.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect((await checksumOf(await target.get(key))).checksum).toEqual(put.checksum);
      expect((await target.archiveState(key)).state).toBe('available');
      expect(await target.requestRestore(key)).toEqual({ status: 'not-archived' });
    } finally {
      await target.delete(key);
    }
    expect(await target.stat(key)).toBeUndefined();
  }, 120_000);
});
