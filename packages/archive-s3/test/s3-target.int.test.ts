import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checksumOf, isSatError } from '@sat/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_RULE_ID, S3Target, setupS3Bucket } from '../src/index.js';
import { BUCKET, targetOn } from './helpers.js';
import { type S3Standin, startS3Standin } from './s3-standin.js';

const SECRET = `wJalrXUtnFEMI/K7MDENG/${randomUUID()}`;
const KEY_ID = 'AKIASATTESTKEY000001';

let s3: S3Standin;
beforeAll(async () => {
  s3 = await startS3Standin({
    buckets: [BUCKET],
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
});
afterAll(async () => {
  await s3?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function bytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('S3Target uploads', () => {
  it('sends a body larger than the part size as a multipart upload, each part with a SHA-256 S3 verifies', async () => {
    const target = targetOn(s3);
    const key = `multi/${randomUUID()}.bin`;
    const data = bytes(12 * 1024 * 1024 + 123, 1);
    const from = s3.requests.length;
    const put = await target.put(key, Readable.from([data.subarray(0, 3_000_000), data.subarray(3_000_000)]));
    expect(put.checksum.sha256).toBe(sha256(data));
    const sent = s3.requests.slice(from).filter((r) => r.key === target.objectKey(key));
    const parts = sent.filter((r) => r.method === 'PUT' && r.query.has('partNumber'));
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(part.headers['x-amz-trailer']).toBeUndefined();
      expect(part.headers['content-encoding'] ?? '').not.toContain('aws-chunked');
    }
    expect(sent.some((r) => r.method === 'POST' && r.query.has('uploads'))).toBe(true);
    expect((await checksumOf(await target.get(key))).checksum.sha256).toBe(sha256(data));
    expect((await target.stat(key))?.checksum).toEqual(put.checksum);
  });

  it('sends a small body as one PutObject whose x-amz-checksum-sha256 is the SHA-256 of the bytes', async () => {
    const target = targetOn(s3);
    const key = `single/${randomUUID()}.bin`;
    const data = bytes(70_000, 2);
    const from = s3.requests.length;
    await target.put(key, Readable.from([data]));
    const [put] = s3.requests
      .slice(from)
      .filter((r) => r.method === 'PUT' && r.key === target.objectKey(key));
    expect(put?.headers['x-amz-checksum-sha256']).toBe(createHash('sha256').update(data).digest('base64'));
  });

  it('bytes damaged in transit are refused by the server-side checksum: CHECKSUM_MISMATCH, nothing stored', async () => {
    const target = targetOn(s3);
    const key = `transit/${randomUUID()}.bin`;
    s3.corruptNextUpload();
    const error = await failure(target.put(key, bytes(50_000, 3)));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect(await target.stat(key)).toBeUndefined();
  });

  it("the SDK's default flexible checksums (aws-chunked trailer) corrupt a streamed upload on s3rver; the target's client does not", async () => {
    const data = bytes(40_000, 4);
    const key = `sdk-default/${randomUUID()}.bin`;
    const plain = new S3Client({
      endpoint: s3.s3rverEndpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: s3.credentials,
    });
    try {
      await plain
        .send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: key,
            Body: Readable.from([data]),
            ContentLength: data.length,
          }),
        )
        .catch(() => undefined);
      const stored = await targetOn(s3, { direct: true })
        .client.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: key }))
        .then(async (r) => Buffer.from(await r.Body!.transformToByteArray()))
        .catch(() => undefined);
      // Either refused or stored with the chunk framing: never the bytes that were sent.
      expect(stored === undefined || sha256(stored) !== sha256(data)).toBe(true);
    } finally {
      plain.destroy();
    }
    const target = targetOn(s3, { direct: true });
    await target.put(key, Readable.from([data]));
    expect((await checksumOf(await target.get(key))).checksum.sha256).toBe(sha256(data));
  });

  it('a checksum record that belongs to an older version is recomputed (interrupted put)', async () => {
    const target = targetOn(s3);
    const key = `stale/${randomUUID()}.txt`;
    await target.put(key, Buffer.from('first'));
    // The object is replaced behind the target's back, as if a put stopped before its record.
    await target.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: target.objectKey(key), Body: Buffer.from('second!') }),
    );
    const stat = await target.stat(key);
    expect(stat?.checksum.sha256).toBe(sha256(Buffer.from('second!')));
    expect((await checksumOf(await target.get(key))).size).toBe(7);
  });
});

describe('S3Target errors', () => {
  it('wrong credentials: TARGET_ERROR naming the fix, never the secret or the key id', async () => {
    const wrongSecret = `${SECRET}-wrong`;
    const wrong = targetOn(s3, {
      clientConfig: { credentials: { accessKeyId: KEY_ID, secretAccessKey: wrongSecret } },
    });
    const error = await failure(wrong.put(`x/${randomUUID()}`, Buffer.from('x')));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).toContain('AWS_SECRET_ACCESS_KEY');
    for (const secret of [SECRET, wrongSecret, KEY_ID]) expect(text).not.toContain(secret);
    const unknown = targetOn(s3, {
      clientConfig: { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: wrongSecret } },
    });
    const error2 = await failure(unknown.stat('x/y'));
    expect(isSatError(error2, 'TARGET_ERROR')).toBe(true);
    expect((error2 as Error).message).toContain('AWS_ACCESS_KEY_ID');
    expect((error2 as Error).message).not.toContain('AKIAUNKNOWNKEY000000');
  });

  it('503 SlowDown is retried by the SDK; when it lasts, TARGET_UNAVAILABLE (retryable)', async () => {
    const target = targetOn(s3);
    const key = `retry/${randomUUID()}.txt`;
    s3.failNext(2, { match: (r) => r.method === 'PUT' && r.key === target.objectKey(key) });
    await target.put(key, Buffer.from('after two 503s'));
    expect((await checksumOf(await target.get(key))).size).toBe(14);
    s3.failNext(3, { match: (r) => r.method === 'HEAD' && r.key === target.objectKey(key) });
    const error = await failure(target.stat(key));
    expect(isSatError(error, 'TARGET_UNAVAILABLE')).toBe(true);
    expect((error as { details: { retryable: boolean } }).details.retryable).toBe(true);
  });

  it('a bucket that does not exist: TARGET_ERROR telling how to fix the bucket name', async () => {
    const target = targetOn(s3, { bucket: 'no-such-bucket-sat' });
    const error = await failure(target.put('a.txt', Buffer.from('a')));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/NoSuchBucket.*SAT_S3_BUCKET/);
  });

  it('a server that cannot be reached: TARGET_UNAVAILABLE', async () => {
    const target = new S3Target({
      bucket: BUCKET,
      clientConfig: {
        endpoint: 'http://127.0.0.1:9',
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: s3.credentials,
        maxAttempts: 1,
      },
    });
    const error = await failure(target.stat('a.txt'));
    expect(isSatError(error, 'TARGET_UNAVAILABLE')).toBe(true);
  });
});

describe('archive state and restore', () => {
  it('available → archived → restoring → restored; GET refused until restored', async () => {
    const target = targetOn(s3);
    const key = `glacier/${randomUUID()}.bin`;
    const data = bytes(10_000, 5);
    await target.put(key, data);
    expect((await target.archiveState(key)).state).toBe('available');
    expect(await target.requestRestore(key)).toEqual({ status: 'not-archived' });
    s3.archive(BUCKET, target.objectKey(key));
    expect(await target.archiveState(key)).toEqual({ state: 'archived', storageClass: 'GLACIER' });
    expect((await target.stat(key))?.checksum.sha256).toBe(sha256(data));
    const refused = await failure(target.get(key));
    expect(isSatError(refused, 'TARGET_ERROR')).toBe(true);
    expect((refused as { details: { archived: boolean } }).details.archived).toBe(true);
    expect(await target.requestRestore(key, { days: 2, tier: 'Bulk' })).toEqual({ status: 'started' });
    expect(s3.archived(BUCKET, target.objectKey(key))?.restore).toMatchObject({
      ongoing: true,
      days: 2,
      tier: 'Bulk',
    });
    expect((await target.archiveState(key)).state).toBe('restoring');
    expect(await target.requestRestore(key)).toEqual({ status: 'in-progress' });
    s3.completeRestore(BUCKET, target.objectKey(key));
    const restored = await target.archiveState(key);
    expect(restored.state).toBe('restored');
    expect(restored.restoreExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    expect(
      sha256(Buffer.from(await (await import('node:stream/consumers')).buffer(await target.get(key)))),
    ).toBe(sha256(data));
    expect(await target.requestRestore(key)).toEqual({ status: 'already-restored' });
  });

  it('a put with storageClass GLACIER lands archived; DEEP_ARCHIVE refuses Expedited', async () => {
    const target = targetOn(s3, { storageClass: 'DEEP_ARCHIVE' });
    const key = `deep/${randomUUID()}.bin`;
    await target.put(key, bytes(1000, 6));
    expect(await target.archiveState(key)).toEqual({ state: 'archived', storageClass: 'DEEP_ARCHIVE' });
    const error = await failure(target.requestRestore(key, { tier: 'Expedited' }));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
  });
});

describe('setupS3Bucket', () => {
  it('checks access, adds its lifecycle rule beside the others, is idempotent, explains the minimums', async () => {
    const client = targetOn(s3).client;
    const { PutBucketLifecycleConfigurationCommand, GetBucketLifecycleConfigurationCommand } = await import(
      '@aws-sdk/client-s3'
    );
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'someone-elses', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
          ],
        },
      }),
    );
    const first = await setupS3Bucket({
      bucket: BUCKET,
      prefix: 'team',
      client,
      storageClass: 'GLACIER',
      transitionDays: 0,
    });
    expect(first).toMatchObject({
      lifecycle: 'created',
      otherRules: ['someone-elses'],
      archivePrefix: 'team/SubAgentTracking/Archive/',
      access: { ok: true },
    });
    const text = first.explanation.join('\n');
    expect(text).toContain('128 KB');
    expect(text).toContain('90 days');
    expect(text).toContain('180 days');
    const rules =
      (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules ?? [];
    expect(rules.map((r) => r.ID).sort()).toEqual([LIFECYCLE_RULE_ID, 'someone-elses'].sort());
    const ours = rules.find((r) => r.ID === LIFECYCLE_RULE_ID)!;
    expect(ours.Filter?.Prefix).toBe('team/SubAgentTracking/Archive/');
    expect(ours.Transitions).toEqual([{ Days: 0, StorageClass: 'GLACIER' }]);
    expect(rules.find((r) => r.ID === 'someone-elses')?.Expiration?.Days).toBe(30);

    expect(
      (await setupS3Bucket({ bucket: BUCKET, prefix: 'team', client, storageClass: 'GLACIER' })).lifecycle,
    ).toBe('unchanged');
    const changed = await setupS3Bucket({
      bucket: BUCKET,
      prefix: 'team',
      client,
      storageClass: 'DEEP_ARCHIVE',
      transitionDays: 30,
    });
    expect(changed.lifecycle).toBe('updated');
    const after =
      (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules ?? [];
    expect(after).toHaveLength(2);
    expect(after.find((r) => r.ID === LIFECYCLE_RULE_ID)?.Transitions).toEqual([
      { Days: 30, StorageClass: 'DEEP_ARCHIVE' },
    ]);
  });

  it('a bucket without lifecycle configuration gets one; a missing bucket is TARGET_ERROR', async () => {
    const other = await startS3Standin({ buckets: ['fresh'] });
    try {
      const client = new S3Client({
        endpoint: other.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: other.credentials,
      });
      const result = await setupS3Bucket({ bucket: 'fresh', client, storageClass: 'GLACIER' });
      expect(result).toMatchObject({ lifecycle: 'created', otherRules: [] });
      expect(other.lifecycle('fresh')).toContain('<StorageClass>GLACIER</StorageClass>');
      const error = await failure(setupS3Bucket({ bucket: 'missing', client, storageClass: 'GLACIER' }));
      expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
      expect((error as Error).message).toContain('bucket does not exist');
      client.destroy();
    } finally {
      await other.close();
    }
  });
});
