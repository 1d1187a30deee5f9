/**
 * The contract every `StorageTarget` passes, whatever holds the bytes. A target package runs it
 * from exactly one test file:
 *
 *     describeStorageTarget('local', ({ dir }) => new LocalDirectoryTarget({ dir }), {
 *       corrupt: async (target, key) => flipAByteOf(target.pathOf(key)),
 *     });
 *
 * Where targets differ, the difference is a declared capability (`deleteMissing`, `atomicPut`,
 * `verifiesReads`, `metadata`) and the suite checks the declared behaviour: no case is skipped.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isSatError } from '../errors.js';
import { pseudoRandom } from '../fixtures/pseudo-random.js';
import { checksumOf } from '../storage/checksum-stream.js';
import type { StorageTarget, StoredObject } from '../storage/storage-target.js';

type Vitest = typeof import('vitest');

/** The vitest API of the running test file (taken from the worker, so importing this module never loads vitest). */
function vitest(): Pick<Vitest, 'afterEach' | 'beforeEach' | 'describe' | 'expect' | 'it'> {
  const api = (globalThis as { __vitest_index__?: Vitest }).__vitest_index__;
  if (!api)
    throw new Error(
      '[core] describeStorageTarget registers vitest tests: call it from a test file that vitest runs',
    );
  return api;
}

/** What the suite hands the factory. */
export interface StorageTargetFactoryContext {
  /** A fresh empty folder for this test (a local target keeps its objects there; others may ignore it). */
  dir: string;
}

/** Makes a target for one test. Every key the suite uses starts with a fresh random prefix, so a shared bucket works. */
export type StorageTargetFactory<T extends StorageTarget = StorageTarget> = (
  context: StorageTargetFactoryContext,
) => T | Promise<T>;

/** Options of {@link describeStorageTarget}. */
export interface StorageTargetContractOptions<T extends StorageTarget = StorageTarget> {
  /**
   * Damages one byte of a stored object behind the target's back. Required when the target
   * declares `verifiesReads`: the suite then checks that `get` detects it.
   */
  corrupt?: (target: T, key: string) => Promise<void>;
  /** Bytes of the large streamed object. Default 20 MiB. */
  largeObjectBytes?: number;
  /** Per-test timeout in ms. Default 60,000. */
  timeoutMs?: number;
  /** Called after each test (close clients, remove buckets). */
  dispose?: (target: T) => Promise<void>;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function collect(iterable: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A stream of `total` bytes in 1 MiB chunks, generated as it is read; its checksums are known in advance. */
function largeSource(total: number): { stream: Readable; sha256: string; md5: string } {
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
function failingSource(before: number): Readable {
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

const INVALID_KEYS = [
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

/**
 * Registers the `StorageTarget` contract tests for one target. Each test gets a fresh target from
 * `factory` and uses keys under a fresh random prefix.
 *
 * @example
 * describeStorageTarget('local', ({ dir }) => new LocalDirectoryTarget({ dir }), { corrupt });
 */
export function describeStorageTarget<T extends StorageTarget>(
  name: string,
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): void {
  const { afterEach, beforeEach, describe, expect, it } = vitest();
  const large = options.largeObjectBytes ?? 20 * 1024 * 1024;
  const timeout = options.timeoutMs ?? 60_000;

  describe(`StorageTarget contract: ${name}`, () => {
    let target: T;
    let dir: string;
    let base: string;
    const key = (suffix: string): string => `${base}${suffix}`;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sat-storage-contract-'));
      target = await factory({ dir });
      base = `sat-contract-${randomUUID()}/`;
    });

    afterEach(async () => {
      try {
        for (const item of await collect(target.list(base))) await target.delete(item.key);
      } finally {
        await options.dispose?.(target);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('declares its name, location and every capability', () => {
      expect(typeof target.name).toBe('string');
      expect(target.name.length).toBeGreaterThan(0);
      expect(typeof target.location).toBe('string');
      const c = target.capabilities;
      expect(typeof c.resumableUpload).toBe('boolean');
      expect(['md5', 'sha256', 'crc32c', 'none']).toContain(c.serverSideChecksum);
      expect(typeof c.atomicPut).toBe('boolean');
      expect(typeof c.archiveTier).toBe('boolean');
      expect(c.maxObjectSize).toBeGreaterThan(large);
      expect(['ok', 'not-found']).toContain(c.deleteMissing);
      expect(typeof c.verifiesReads).toBe('boolean');
      expect(typeof c.metadata).toBe('boolean');
      if (c.verifiesReads && !options.corrupt)
        throw new Error(`${name} declares verifiesReads: pass options.corrupt so the suite can check it`);
    });

    it('round-trips a small object byte for byte, with correct checksums from put, stat and get', async () => {
      const data = Buffer.from('{"hello":"world"}\n');
      const put = await target.put(key('small.json'), data, { contentType: 'application/json' });
      expect(put).toEqual({
        key: key('small.json'),
        size: data.length,
        checksum: { sha256: sha256(data), md5: md5(data) },
      });
      expect(Buffer.compare(await readAll(await target.get(key('small.json'))), data)).toBe(0);
      const stat = await target.stat(key('small.json'));
      expect(stat?.key).toBe(key('small.json'));
      expect(stat?.size).toBe(data.length);
      expect(stat?.checksum).toEqual({ sha256: sha256(data), md5: md5(data) });
      expect(stat?.modified).toBeInstanceOf(Date);
    });

    it('round-trips an empty object', async () => {
      const empty = Buffer.alloc(0);
      const put = await target.put(key('empty'), empty);
      expect(put.size).toBe(0);
      expect(put.checksum).toEqual({ sha256: sha256(empty), md5: md5(empty) });
      expect((await readAll(await target.get(key('empty')))).length).toBe(0);
      expect((await target.stat(key('empty')))?.size).toBe(0);
    });

    it(
      `streams a ${Math.round(large / 1024 / 1024)} MiB object in and out, checksums matching node:crypto`,
      async () => {
        const source = largeSource(large);
        let progress = 0;
        const put = await target.put(key('large/blob.bin'), source.stream, {
          onProgress: (bytes) => {
            expect(bytes).toBeGreaterThanOrEqual(progress);
            progress = bytes;
          },
        });
        expect(put.size).toBe(large);
        expect(put.checksum).toEqual({ sha256: source.sha256, md5: source.md5 });
        expect(progress).toBe(large);
        const read = await checksumOf(await target.get(key('large/blob.bin')));
        expect(read).toEqual({ size: large, checksum: { sha256: source.sha256, md5: source.md5 } });
        const stat = await target.stat(key('large/blob.bin'));
        expect(stat?.checksum).toEqual(put.checksum);
      },
      timeout,
    );

    it('takes a Readable as well as a Buffer', async () => {
      const data = pseudoRandom(300_000, 11);
      await target.put(key('readable.bin'), Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect(sha256(await readAll(await target.get(key('readable.bin'))))).toBe(sha256(data));
    });

    it('lists by prefix: nested keys, plain string prefixes, nothing from beside the prefix', async () => {
      const keys = ['p/a.txt', 'p/b/c.txt', 'p/b/d/e.txt', 'pq/x.txt', 'p-other/y.txt', 'q/p/z.txt'];
      for (const k of keys) await target.put(key(k), Buffer.from(k));
      const listed = async (prefix: string) => (await collect(target.list(key(prefix)))).map((o) => o.key);
      expect(await listed('p/')).toEqual([key('p/a.txt'), key('p/b/c.txt'), key('p/b/d/e.txt')]);
      expect(await listed('p/b/')).toEqual([key('p/b/c.txt'), key('p/b/d/e.txt')]);
      expect(await listed('p/b/d/e')).toEqual([key('p/b/d/e.txt')]);
      expect(await listed('p')).toEqual([
        key('p-other/y.txt'),
        key('p/a.txt'),
        key('p/b/c.txt'),
        key('p/b/d/e.txt'),
        key('pq/x.txt'),
      ]);
      expect(await listed('nothing/')).toEqual([]);
      expect(await listed('')).toHaveLength(keys.length);
      for (const item of await collect(target.list(key('')))) {
        const data = Buffer.from(item.key.slice(base.length));
        expect(item.size).toBe(data.length);
        expect(item.checksum).toEqual({ sha256: sha256(data), md5: md5(data) });
        expect(item.modified).toBeInstanceOf(Date);
      }
    });

    it('stat of a missing key is undefined; get rejects with NOT_FOUND', async () => {
      expect(await target.stat(key('missing.txt'))).toBeUndefined();
      const error = await target.get(key('missing.txt')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(error, 'NOT_FOUND')).toBe(true);
    });

    it('deletes; deleting a missing key does what capabilities.deleteMissing declares', async () => {
      await target.put(key('gone/x.txt'), Buffer.from('x'));
      await target.put(key('gone/keep.txt'), Buffer.from('k'));
      await target.delete(key('gone/x.txt'));
      expect(await target.stat(key('gone/x.txt'))).toBeUndefined();
      expect((await collect(target.list(key('gone/')))).map((o) => o.key)).toEqual([key('gone/keep.txt')]);
      const again = target.delete(key('gone/x.txt')).then(
        () => 'ok',
        (e: unknown) => e,
      );
      if (target.capabilities.deleteMissing === 'ok') expect(await again).toBe('ok');
      else expect(isSatError(await again, 'NOT_FOUND')).toBe(true);
    });

    it('overwrites: the new bytes and checksums replace the old ones, one object listed', async () => {
      const v1 = Buffer.from('first version, somewhat longer than the second');
      const v2 = Buffer.from('second');
      await target.put(key('over.txt'), v1);
      const put = await target.put(key('over.txt'), v2);
      expect(put.checksum.sha256).toBe(sha256(v2));
      expect((await readAll(await target.get(key('over.txt')))).toString()).toBe('second');
      expect((await target.stat(key('over.txt')))?.checksum.sha256).toBe(sha256(v2));
      expect((await collect(target.list(key('over')))).map((o) => o.size)).toEqual([v2.length]);
    });

    it('keeps keys with spaces and unicode exactly', async () => {
      const names = ['with space/a b.txt', 'dossier é/naïve ü.txt', '日本語/ファイル 1.md', 'emoji 🚀/x'];
      for (const n of names) await target.put(key(n), Buffer.from(n));
      for (const n of names) expect((await readAll(await target.get(key(n)))).toString()).toBe(n);
      expect((await collect(target.list(base))).map((o) => o.key).sort()).toEqual(names.map(key).sort());
    });

    it('refuses .., absolute and malformed keys with INVALID_KEY, touching nothing', async () => {
      for (const bad of INVALID_KEYS) {
        const calls: Array<() => Promise<unknown>> = [
          () => target.put(bad, Buffer.from('x')),
          () => target.get(bad),
          () => target.stat(bad),
          () => target.delete(bad),
        ];
        for (const call of calls) {
          const error = await Promise.resolve()
            .then(call)
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(isSatError(error, 'INVALID_KEY'), `key ${JSON.stringify(bad)}`).toBe(true);
        }
      }
      const listError = await collect(target.list('../')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(listError, 'INVALID_KEY')).toBe(true);
      expect(await collect(target.list(base))).toEqual([]);
    });

    it('handles concurrent puts: different keys all land; one key ends whole, as one of the writes', async () => {
      const datas = Array.from({ length: 12 }, (_, i) => pseudoRandom(200_000 + i * 1000, i + 1));
      await Promise.all(datas.map((d, i) => target.put(key(`many/${i}.bin`), d)));
      for (const [i, d] of datas.entries())
        expect(sha256(await readAll(await target.get(key(`many/${i}.bin`))))).toBe(sha256(d));
      const rivals = datas.slice(0, 6);
      await Promise.all(rivals.map((d) => target.put(key('same.bin'), d)));
      const final = await readAll(await target.get(key('same.bin')));
      expect(rivals.map(sha256)).toContain(sha256(final));
      expect((await target.stat(key('same.bin')))?.checksum.sha256).toBe(sha256(final));
    });

    it('a source that fails half-way rejects the put and leaves no object', async () => {
      const error = await target.put(key('broken.bin'), failingSource(1024 * 1024)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(await target.stat(key('broken.bin'))).toBeUndefined();
      expect(await collect(target.list(base))).toEqual([]);
    });

    it('a failed overwrite leaves the previous object (or none, without capabilities.atomicPut)', async () => {
      const v1 = Buffer.from('the good version');
      await target.put(key('keep.txt'), v1);
      await target.put(key('keep.txt'), failingSource(256 * 1024)).catch(() => undefined);
      const stat = await target.stat(key('keep.txt'));
      if (target.capabilities.atomicPut || stat !== undefined) {
        expect(stat?.checksum.sha256).toBe(sha256(v1));
        expect((await readAll(await target.get(key('keep.txt')))).toString()).toBe('the good version');
      }
    });

    it('rejects a put whose bytes differ from expectedSha256 with CHECKSUM_MISMATCH, storing nothing', async () => {
      const error = await target
        .put(key('expect.txt'), Buffer.from('actual bytes'), { expectedSha256: sha256(Buffer.from('other')) })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
      expect(await target.stat(key('expect.txt'))).toBeUndefined();
    });

    it('keeps content type and metadata when it declares capabilities.metadata', async () => {
      await target.put(key('meta.json'), Buffer.from('{}'), {
        contentType: 'application/json',
        metadata: { session: 's1', phase: '2' },
      });
      const stat = await target.stat(key('meta.json'));
      expect(stat?.size).toBe(2);
      if (target.capabilities.metadata) {
        expect(stat?.contentType).toBe('application/json');
        expect(stat?.metadata).toEqual({ session: 's1', phase: '2' });
      }
    });

    it('detects damaged bytes on get when it declares capabilities.verifiesReads', async () => {
      const data = pseudoRandom(100_000, 5);
      await target.put(key('rot.bin'), data);
      if (!target.capabilities.verifiesReads) {
        expect(sha256(await readAll(await target.get(key('rot.bin'))))).toBe(sha256(data));
        return;
      }
      await options.corrupt!(target, key('rot.bin'));
      const error = await readAll(await target.get(key('rot.bin'))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    });
  });
}
