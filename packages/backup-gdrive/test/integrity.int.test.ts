import { createHash } from 'node:crypto';
import { isSatError, type StoredObject } from '@sat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleDriveTarget } from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget, pseudoRandom, readAll, rejection, tempDir } from './helpers.js';

let fake: FakeDriveServer;
let temp: ReturnType<typeof tempDir>;
let target: GoogleDriveTarget;

beforeEach(async () => {
  fake = await FakeDriveServer.start();
  temp = tempDir();
  target = await fakeTarget(fake, temp.dir, { pageSize: 2 });
});
afterEach(async () => {
  await fake.close();
  temp.remove();
});

async function keys(prefix: string): Promise<string[]> {
  const out: StoredObject[] = [];
  for await (const item of target.list(prefix)) out.push(item);
  return out.map((o) => o.key).sort();
}

describe('layout, listing and reads', () => {
  it('keys become folders a person sees in Drive, each folder created once', async () => {
    const prefix = 'SubAgentTracking/Phase_0/sessions/s1/';
    await Promise.all([
      target.put(`${prefix}bundle.tar.gz`, Buffer.from('b')),
      target.put(`${prefix}manifest.json`, Buffer.from('{}')),
    ]);
    const folders = fake.storedFolders();
    expect(folders.map((f) => f.name).sort()).toEqual(['Phase_0', 'SubAgentTracking', 's1', 'sessions']);
    const byName = Object.fromEntries(folders.map((f) => [f.name, f]));
    expect(byName.SubAgentTracking!.parents).toEqual(['root']);
    expect(byName.Phase_0!.parents).toEqual([byName.SubAgentTracking!.id]);
    expect(byName.s1!.parents).toEqual([byName.sessions!.id]);
    const bundle = fake.fileByKey(`${prefix}bundle.tar.gz`)!;
    expect(bundle.name).toBe('bundle.tar.gz');
    expect(bundle.parents).toEqual([byName.s1!.id]);
  });

  it('the folder option puts everything under a folder of My Drive', async () => {
    const inFolder = await fakeTarget(fake, temp.dir, { folder: 'Backups/sat' });
    await inFolder.put('a/b.txt', Buffer.from('x'));
    expect(
      fake
        .storedFolders()
        .map((f) => f.name)
        .sort(),
    ).toEqual(['Backups', 'a', 'sat']);
    // The same key without the folder is another object.
    expect(await target.stat('a/b.txt')).toBeUndefined();
    expect((await inFolder.stat('a/b.txt'))?.size).toBe(1);
  });

  it('lists across many pages, exact prefixes only, ignoring trashed files and files of others', async () => {
    for (let i = 0; i < 7; i++) await target.put(`p/f${i}.txt`, Buffer.from(String(i)));
    await target.put('p/sub/deep.txt', Buffer.from('d'));
    await target.put('pq/no.txt', Buffer.from('n'));
    const before = fake.counts['files.list'] ?? 0;
    expect(await keys('p/')).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `p/f${i}.txt`),
      'p/sub/deep.txt',
    ]);
    // 8 items in folder p (7 files + 1 folder) at 2 per page = 4 pages, plus sub, plus lookups.
    expect((fake.counts['files.list'] ?? 0) - before).toBeGreaterThanOrEqual(5);
    expect(await keys('p/f1')).toEqual(['p/f1.txt']);
    fake.trash(fake.fileByKey('p/f3.txt')!.id);
    expect(await keys('p/')).not.toContain('p/f3.txt');
    expect(await target.stat('p/f3.txt')).toBeUndefined();
    const folderP = fake.storedFolders().find((f) => f.name === 'p')!;
    fake.addFile({ name: 'stranger.txt', parents: [folderP.id], data: Buffer.from('not ours') });
    expect(await keys('p/')).not.toContain('p/stranger.txt');
    expect(await keys('p')).toContain('pq/no.txt');
  });

  it('a flipped byte in a stored file fails the get stream with CHECKSUM_MISMATCH', async () => {
    const data = pseudoRandom(2_000_000, 9);
    await target.put('rot/blob.bin', data);
    fake.corrupt(fake.fileByKey('rot/blob.bin')!.id);
    const error = await rejection(readAll(await target.get('rot/blob.bin')));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(/rot\/blob\.bin .*damaged.*use another copy/);
  });

  it('a read whose connection drops fails the stream (never a short read taken as whole)', async () => {
    const data = pseudoRandom(100_000, 10);
    await target.put('drop.bin', data);
    fake.inject({ op: 'files.media', loseResponse: true, times: 10 });
    const error = await rejection(target.get('drop.bin').then(readAll));
    expect(isSatError(error)).toBe(true);
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(false);
  });

  it('stat reports the checksums Drive keeps and the SHA-256 computed at upload', async () => {
    const data = Buffer.from('checksums');
    await target.put('c.txt', data, { contentType: 'text/plain' });
    const stat = await target.stat('c.txt');
    expect(stat).toMatchObject({
      key: 'c.txt',
      size: data.length,
      contentType: 'text/plain',
      checksum: {
        md5: createHash('md5').update(data).digest('hex'),
        sha256: createHash('sha256').update(data).digest('hex'),
      },
    });
  });
});
