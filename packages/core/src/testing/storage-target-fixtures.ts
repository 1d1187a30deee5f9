/** Bytes, streams and comparisons the storage target contract suites share. No vitest here. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pseudoRandom } from '../fixtures/pseudo-random.js';
import type { StoredObject } from '../storage/storage-target.js';

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function collect(iterable: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A stream of `total` bytes in 1 MiB chunks, generated as it is read; its checksums are known in advance. */
export function largeSource(total: number): { stream: Readable; sha256: string; md5: string } {
  const chunk = pseudoRandom(1024 * 1024, 7);
  const hashes = { sha256: createHash('sha256'), md5: createHash('md5') };
  for (let sent = 0; sent < total; sent += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    hashes.sha256.update(piece);
    hashes.md5.update(piece);
  }
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, total - sent)));
      sent += piece.length;
      this.push(piece);
    },
  });
  return { stream, sha256: hashes.sha256.digest('hex'), md5: hashes.md5.digest('hex') };
}

/** A stream that sends `before` bytes, then fails. */
export function failingSource(before: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(pseudoRandom(before, 3));
        return;
      }
      setImmediate(() => this.destroy(new Error('source failed on purpose half-way')));
    },
  });
}

/** Keys every target refuses with INVALID_KEY. */
export const INVALID_KEYS = [
  '../escape',
  'a/../../escape',
  '/absolute/key',
  'C:/windows',
  'a//b',
  '',
  'a/./b',
  'a\\b',
  'trailing/',
];
