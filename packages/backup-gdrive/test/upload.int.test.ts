import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { isSatError } from '@sat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleDriveTarget } from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget, pseudoRandom, readAll, rejection, tempDir } from './helpers.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let fake: FakeDriveServer;
let temp: ReturnType<typeof tempDir>;
let target: GoogleDriveTarget;

beforeEach(async () => {
  fake = await FakeDriveServer.start();
  temp = tempDir();
  target = await fakeTarget(fake, temp.dir, { chunkSize: MiB });
});
afterEach(async () => {
  await fake.close();
  temp.remove();
});

describe('resumable uploads', () => {
  it('sends chunks of chunkSize and a streamed source never needs the whole file', async () => {
    const data = pseudoRandom(5 * MiB + 123, 1);
    const put = await target.put('a/big.bin', Readable.from([data.subarray(0, 777), data.subarray(777)]));
    expect(put).toEqual({
      key: 'a/big.bin',
      size: data.length,
      checksum: { sha256: sha256(data), md5: md5(data) },
    });
    expect(fake.counts['upload.chunk']).toBe(6);
    expect(fake.uploads).toHaveLength(1);
    expect(fake.uploads[0]!.bytesReceived).toBe(data.length);
    expect(sha256(fake.content(fake.fileByKey('a/big.bin')!.id))).toBe(sha256(data));
  });

  it('a connection cut in the middle of a chunk resumes from the last committed byte', async () => {
    const data = pseudoRandom(6 * MiB, 2);
    // The third chunk's connection drops after 600 KiB: Drive keeps 512 KiB of it.
    fake.inject({ op: 'upload.chunk', dropAfterBytes: 600 * 1024, times: 1 });
    const put = await target.put('cut.bin', data);
    expect(put.checksum).toEqual({ sha256: sha256(data), md5: md5(data) });
    const upload = fake.uploads[0]!;
    expect(fake.uploads).toHaveLength(1); // the same session went on
    expect(fake.counts['upload.status']).toBeGreaterThanOrEqual(1);
    expect(upload.bytesReceived).toBeLessThan(2 * data.length);
    // Only the 600 KiB that reached the server before the cut were sent twice at most.
    expect(upload.bytesReceived).toBeLessThanOrEqual(data.length + 600 * 1024);
    expect(fake.counts['upload.chunk']).toBe(6 + 1);
    const file = fake.fileByKey('cut.bin')!;
    expect(file.md5Checksum).toBe(md5(data));
    expect(sha256(fake.content(file.id))).toBe(sha256(data));
    expect(sha256(await readAll(await target.get('cut.bin')))).toBe(sha256(data));
  });

  it('a 503 on a chunk is retried after asking the session how far it got', async () => {
    const data = pseudoRandom(3 * MiB + 5, 3);
    fake.inject({ op: 'upload.chunk', status: 503, times: 2 });
    await target.put('retry.bin', data);
    expect(fake.counts['upload.status']).toBe(2);
    expect(fake.uploads[0]!.bytesReceived).toBe(data.length);
    expect(md5(fake.content(fake.fileByKey('retry.bin')!.id))).toBe(md5(data));
  });

  it('a lost answer to the last chunk of a create leaves exactly one file', async () => {
    const data = pseudoRandom(300_000, 4);
    fake.inject({ op: 'upload.chunk', loseResponse: true });
    const put = await target.put('lost/one.bin', data);
    expect(put.checksum.md5).toBe(md5(data));
    const files = fake.storedFiles();
    expect(files).toHaveLength(1);
    expect(fake.uploads).toHaveLength(1);
    expect(fake.counts['upload.status']).toBe(1);
    // Put again: the same file gets a new revision, never a second file.
    const v2 = pseudoRandom(1000, 5);
    await target.put('lost/one.bin', v2);
    expect(fake.storedFiles().map((f) => f.id)).toEqual([files[0]!.id]);
    expect(md5(fake.content(files[0]!.id))).toBe(md5(v2));
    expect((await target.stat('lost/one.bin'))?.checksum.sha256).toBe(sha256(v2));
  });

  it('a put to an existing key updates that file (a revision), with new content type and metadata', async () => {
    await target.put('same.txt', Buffer.from('one'), {
      contentType: 'text/plain',
      metadata: { a: '1', b: '2' },
    });
    const id = fake.fileByKey('same.txt')!.id;
    await target.put('same.txt', Buffer.from('two!'), {
      contentType: 'application/json',
      metadata: { a: '9' },
    });
    expect(fake.storedFiles().map((f) => f.id)).toEqual([id]);
    const stat = await target.stat('same.txt');
    expect(stat).toMatchObject({ size: 4, contentType: 'application/json', metadata: { a: '9' } });
  });

  it('a byte damaged on the way is caught by md5Checksum: CHECKSUM_MISMATCH and no file left', async () => {
    fake.inject({ op: 'upload.chunk', corruptUpload: true });
    const error = await rejection(target.put('damaged.bin', pseudoRandom(100_000, 6)));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(/damaged\.bin.*md5.*bad file was removed/);
    expect(fake.storedFiles()).toEqual([]);
    expect(await target.stat('damaged.bin')).toBeUndefined();
  });

  it('expectedSha256 that does not match cancels the session: the previous version stays', async () => {
    await target.put('keep.bin', Buffer.from('good'));
    const error = await rejection(
      target.put('keep.bin', pseudoRandom(2 * MiB + 1, 7), { expectedSha256: sha256(Buffer.from('x')) }),
    );
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect(fake.counts['upload.cancel']).toBe(1);
    expect((await readAll(await target.get('keep.bin'))).toString()).toBe('good');
  });

  it('records the computed SHA-256 in appProperties and the key, even past 124 bytes, in parts', async () => {
    const key = `${'long-folder-name/'.repeat(8)}${'é'.repeat(60)}.bin`;
    await target.put(key, Buffer.from('x'));
    const file = fake.fileByKey(key)!;
    expect(file.appProperties.satSha256).toBe(sha256(Buffer.from('x')));
    expect(file.appProperties.satKey1).toBeDefined();
    const listed = [];
    for await (const item of target.list('long-folder-name/')) listed.push(item.key);
    expect(listed).toEqual([key]);
  });

  it('refuses a chunk size that is not a multiple of 256 KiB', async () => {
    const error = await rejection(fakeTarget(fake, temp.dir, { chunkSize: 1000 }));
    expect(isSatError(error, 'INVALID_CONFIG')).toBe(true);
  });
});
