import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSatError, LOCAL_SIDECAR_SUFFIX, LocalDirectoryTarget } from '../../src/index.js';
import { describeStorageTarget } from '../../src/testing/index.js';
import { tempDir } from '../helpers.js';

/** Flips one byte in the middle of the object's file, leaving its size and checksum file alone. */
async function flipAByte(target: LocalDirectoryTarget, key: string): Promise<void> {
  const file = target.pathOf(key);
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1]! ^= 0x01;
  writeFileSync(file, bytes);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeStorageTarget('local', ({ dir }) => new LocalDirectoryTarget({ dir: join(dir, 'backups') }), {
  corrupt: flipAByte,
});

describe('LocalDirectoryTarget', () => {
  it('keeps a checksum file beside each object and leaves no temporary file behind', async () => {
    const dir = tempDir();
    const target = new LocalDirectoryTarget({ dir });
    const data = Buffer.from('some bytes');
    await target.put('a/b/c.txt', data, { contentType: 'text/plain' });
    expect(readdirSync(join(dir, 'a', 'b')).sort()).toEqual(['c.txt', `c.txt${LOCAL_SIDECAR_SUFFIX}`]);
    const sidecar = JSON.parse(readFileSync(join(dir, 'a', 'b', `c.txt${LOCAL_SIDECAR_SUFFIX}`), 'utf8'));
    expect(sidecar).toMatchObject({
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      contentType: 'text/plain',
    });
  });

  it('detects a flipped byte on get with CHECKSUM_MISMATCH naming the object', async () => {
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    await target.put('x/bundle.tar.gz', Buffer.alloc(10_000, 7));
    await flipAByte(target, 'x/bundle.tar.gz');
    const error = await rejection(readAll(await target.get('x/bundle.tar.gz')));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('x/bundle.tar.gz');
    expect((error as Error).message).toContain('is damaged');
  });

  it('reports a missing folder whose parent is missing (an unmounted share) as TARGET_UNAVAILABLE, creating nothing', async () => {
    const root = tempDir();
    const target = new LocalDirectoryTarget({ dir: join(root, 'nas', 'backups') });
    const error = await rejection(target.put('a.txt', Buffer.from('a')));
    expect(isSatError(error, 'TARGET_UNAVAILABLE')).toBe(true);
    expect((error as { details: { retryable: boolean } }).details.retryable).toBe(true);
    expect((error as Error).message).toContain('is the drive mounted?');
    expect(existsSync(join(root, 'nas'))).toBe(false);
    // Once it is "mounted", the same target works.
    mkdirSync(join(root, 'nas'));
    expect((await target.put('a.txt', Buffer.from('a'))).size).toBe(1);
  });

  it('with create: false, a missing folder is unavailable even when its parent exists', async () => {
    const target = new LocalDirectoryTarget({ dir: join(tempDir(), 'backups'), create: false });
    expect(isSatError(await rejection(target.stat('a')), 'TARGET_UNAVAILABLE')).toBe(true);
  });

  it('refuses keys that would clash with its own files', async () => {
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    for (const key of ['a/b.sat.json', '.sat-tmp-x', 'a/.sat-lock-1/b']) {
      expect(isSatError(await rejection(target.put(key, Buffer.from('x'))), 'INVALID_KEY')).toBe(true);
    }
  });

  it('computes the checksums of a file copied in by hand (no checksum file)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manual.txt'), 'by hand');
    const target = new LocalDirectoryTarget({ dir });
    const stat = await target.stat('manual.txt');
    expect(stat?.checksum.sha256).toBe(createHash('sha256').update('by hand').digest('hex'));
    expect((await readAll(await target.get('manual.txt'))).toString()).toBe('by hand');
  });

  it('removes folders left empty by delete', async () => {
    const dir = tempDir();
    const target = new LocalDirectoryTarget({ dir });
    await target.put('deep/er/x.txt', Buffer.from('x'));
    await target.delete('deep/er/x.txt');
    expect(readdirSync(dir)).toEqual([]);
  });
});
