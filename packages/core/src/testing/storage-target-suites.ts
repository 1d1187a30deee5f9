/** The storage target contract's suites; each takes the target's factory and the contract options. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isSatError } from '../errors.js';
import { pseudoRandom } from '../fixtures/pseudo-random.js';
import { checksumOf } from '../storage/checksum-stream.js';
import type { StorageTarget } from '../storage/storage-target.js';
import {
  collect,
  failingSource,
  INVALID_KEYS,
  largeSource,
  md5,
  readAll,
  sha256,
} from './storage-target-fixtures.js';
import {
  type StorageTargetContractOptions,
  type StorageTargetFactory,
  useTargetHarness,
} from './storage-target-harness.js';

/**
 * Registers the capabilities cases: the declared name, location and capabilities.
 *
 * @example
 * describe('local', () => storageTargetSuites.capabilities(factory));
 */
export function capabilities<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): void {
  describe('capabilities', () => {
    const t = useTargetHarness(factory, options);
    const large = options.largeObjectBytes ?? 20 * 1024 * 1024;

    it('declares its name, location and every capability', () => {
      expect(typeof t.target.name).toBe('string');
      expect(t.target.name.length).toBeGreaterThan(0);
      expect(typeof t.target.location).toBe('string');
      const c = t.target.capabilities;
      expect(typeof c.resumableUpload).toBe('boolean');
      expect(['md5', 'sha256', 'crc32c', 'none']).toContain(c.serverSideChecksum);
      expect(typeof c.atomicPut).toBe('boolean');
      expect(typeof c.archiveTier).toBe('boolean');
      expect(c.maxObjectSize).toBeGreaterThan(large);
      expect(['ok', 'not-found']).toContain(c.deleteMissing);
      expect(typeof c.verifiesReads).toBe('boolean');
      expect(typeof c.metadata).toBe('boolean');
      if (c.verifiesReads && !options.corrupt)
        throw new Error(
          `${t.target.name} declares verifiesReads: pass options.corrupt so the suite can check it`,
        );
    });
  });
}

/**
 * Registers the round trips cases: small, empty, large streamed and Readable objects come back byte for byte with their checksums.
 *
 * @example
 * describe('local', () => storageTargetSuites.roundTrips(factory));
 */
export function roundTrips<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): void {
  describe('round trips', () => {
    const t = useTargetHarness(factory, options);
    const large = options.largeObjectBytes ?? 20 * 1024 * 1024;
    const timeout = options.timeoutMs ?? 60_000;

    it('round-trips a small object byte for byte, with correct checksums from put, stat and get', async () => {
      const data = Buffer.from('{"hello":"world"}\n');
      const put = await t.target.put(t.key('small.json'), data, { contentType: 'application/json' });
      expect(put).toEqual({
        key: t.key('small.json'),
        size: data.length,
        checksum: { sha256: sha256(data), md5: md5(data) },
      });
      expect(Buffer.compare(await readAll(await t.target.get(t.key('small.json'))), data)).toBe(0);
      const stat = await t.target.stat(t.key('small.json'));
      expect(stat?.key).toBe(t.key('small.json'));
      expect(stat?.size).toBe(data.length);
      expect(stat?.checksum).toEqual({ sha256: sha256(data), md5: md5(data) });
      expect(stat?.modified).toBeInstanceOf(Date);
    });

    it('round-trips an empty object', async () => {
      const empty = Buffer.alloc(0);
      const put = await t.target.put(t.key('empty'), empty);
      expect(put.size).toBe(0);
      expect(put.checksum).toEqual({ sha256: sha256(empty), md5: md5(empty) });
      expect((await readAll(await t.target.get(t.key('empty')))).length).toBe(0);
      expect((await t.target.stat(t.key('empty')))?.size).toBe(0);
    });

    it(
      `streams a ${Math.round(large / 1024 / 1024)} MiB object in and out, checksums matching node:crypto`,
      async () => {
        const source = largeSource(large);
        let progress = 0;
        const put = await t.target.put(t.key('large/blob.bin'), source.stream, {
          onProgress: (bytes) => {
            expect(bytes).toBeGreaterThanOrEqual(progress);
            progress = bytes;
          },
        });
        expect(put.size).toBe(large);
        expect(put.checksum).toEqual({ sha256: source.sha256, md5: source.md5 });
        expect(progress).toBe(large);
        const read = await checksumOf(await t.target.get(t.key('large/blob.bin')));
        expect(read).toEqual({ size: large, checksum: { sha256: source.sha256, md5: source.md5 } });
        const stat = await t.target.stat(t.key('large/blob.bin'));
        expect(stat?.checksum).toEqual(put.checksum);
      },
      timeout,
    );

    it('takes a Readable as well as a Buffer', async () => {
      const data = pseudoRandom(300_000, 11);
      await t.target.put(t.key('readable.bin'), Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect(sha256(await readAll(await t.target.get(t.key('readable.bin'))))).toBe(sha256(data));
    });
  });
}

/**
 * Registers the listing cases: listing by prefix.
 *
 * @example
 * describe('local', () => storageTargetSuites.listing(factory));
 */
export function listing<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('listing', () => {
    const t = useTargetHarness(factory, _options);

    it('lists by prefix: nested keys, plain string prefixes, nothing from beside the prefix', async () => {
      const keys = ['p/a.txt', 'p/b/c.txt', 'p/b/d/e.txt', 'pq/x.txt', 'p-other/y.txt', 'q/p/z.txt'];
      for (const k of keys) await t.target.put(t.key(k), Buffer.from(k));
      const listed = async (prefix: string) =>
        (await collect(t.target.list(t.key(prefix)))).map((o) => o.key);
      expect(await listed('p/')).toEqual([t.key('p/a.txt'), t.key('p/b/c.txt'), t.key('p/b/d/e.txt')]);
      expect(await listed('p/b/')).toEqual([t.key('p/b/c.txt'), t.key('p/b/d/e.txt')]);
      expect(await listed('p/b/d/e')).toEqual([t.key('p/b/d/e.txt')]);
      expect(await listed('p')).toEqual([
        t.key('p-other/y.txt'),
        t.key('p/a.txt'),
        t.key('p/b/c.txt'),
        t.key('p/b/d/e.txt'),
        t.key('pq/x.txt'),
      ]);
      expect(await listed('nothing/')).toEqual([]);
      expect(await listed('')).toHaveLength(keys.length);
      for (const item of await collect(t.target.list(t.key('')))) {
        const data = Buffer.from(item.key.slice(t.base.length));
        expect(item.size).toBe(data.length);
        expect(item.checksum).toEqual({ sha256: sha256(data), md5: md5(data) });
        expect(item.modified).toBeInstanceOf(Date);
      }
    });
  });
}

/**
 * Registers the missing keys and delete cases: stat and get of a missing key, delete, and deleting a missing key as capabilities.deleteMissing declares.
 *
 * @example
 * describe('local', () => storageTargetSuites.missingAndDelete(factory));
 */
export function missingAndDelete<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('missing keys and delete', () => {
    const t = useTargetHarness(factory, _options);

    it('stat of a missing key is undefined; get rejects with NOT_FOUND', async () => {
      expect(await t.target.stat(t.key('missing.txt'))).toBeUndefined();
      const error = await t.target.get(t.key('missing.txt')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(error, 'NOT_FOUND')).toBe(true);
    });

    it('deletes; deleting a missing key does what capabilities.deleteMissing declares', async () => {
      await t.target.put(t.key('gone/x.txt'), Buffer.from('x'));
      await t.target.put(t.key('gone/keep.txt'), Buffer.from('k'));
      await t.target.delete(t.key('gone/x.txt'));
      expect(await t.target.stat(t.key('gone/x.txt'))).toBeUndefined();
      expect((await collect(t.target.list(t.key('gone/')))).map((o) => o.key)).toEqual([
        t.key('gone/keep.txt'),
      ]);
      const again = t.target.delete(t.key('gone/x.txt')).then(
        () => 'ok',
        (e: unknown) => e,
      );
      if (t.target.capabilities.deleteMissing === 'ok') expect(await again).toBe('ok');
      else expect(isSatError(await again, 'NOT_FOUND')).toBe(true);
    });
  });
}

/**
 * Registers the overwrite cases: an overwrite replaces the object; a failed one keeps the previous (capabilities.atomicPut).
 *
 * @example
 * describe('local', () => storageTargetSuites.overwrite(factory));
 */
export function overwrite<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('overwrite', () => {
    const t = useTargetHarness(factory, _options);

    it('overwrites: the new bytes and checksums replace the old ones, one object listed', async () => {
      const v1 = Buffer.from('first version, somewhat longer than the second');
      const v2 = Buffer.from('second');
      await t.target.put(t.key('over.txt'), v1);
      const put = await t.target.put(t.key('over.txt'), v2);
      expect(put.checksum.sha256).toBe(sha256(v2));
      expect((await readAll(await t.target.get(t.key('over.txt')))).toString()).toBe('second');
      expect((await t.target.stat(t.key('over.txt')))?.checksum.sha256).toBe(sha256(v2));
      expect((await collect(t.target.list(t.key('over')))).map((o) => o.size)).toEqual([v2.length]);
    });

    it('a failed overwrite leaves the previous object (or none, without capabilities.atomicPut)', async () => {
      const v1 = Buffer.from('the good version');
      await t.target.put(t.key('keep.txt'), v1);
      await t.target.put(t.key('keep.txt'), failingSource(256 * 1024)).catch(() => undefined);
      const stat = await t.target.stat(t.key('keep.txt'));
      if (t.target.capabilities.atomicPut || stat !== undefined) {
        expect(stat?.checksum.sha256).toBe(sha256(v1));
        expect((await readAll(await t.target.get(t.key('keep.txt')))).toString()).toBe('the good version');
      }
    });
  });
}

/**
 * Registers the keys cases: unicode keys kept exactly; malformed keys refused with INVALID_KEY.
 *
 * @example
 * describe('local', () => storageTargetSuites.keys(factory));
 */
export function keys<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('keys', () => {
    const t = useTargetHarness(factory, _options);

    it('keeps keys with spaces and unicode exactly', async () => {
      const names = ['with space/a b.txt', 'dossier é/naïve ü.txt', '日本語/ファイル 1.md', 'emoji 🚀/x'];
      for (const n of names) await t.target.put(t.key(n), Buffer.from(n));
      for (const n of names) expect((await readAll(await t.target.get(t.key(n)))).toString()).toBe(n);
      expect((await collect(t.target.list(t.base))).map((o) => o.key).sort()).toEqual(
        names.map(t.key).sort(),
      );
    });

    it('refuses .., absolute and malformed keys with INVALID_KEY, touching nothing', async () => {
      for (const bad of INVALID_KEYS) {
        const calls: Array<() => Promise<unknown>> = [
          () => t.target.put(bad, Buffer.from('x')),
          () => t.target.get(bad),
          () => t.target.stat(bad),
          () => t.target.delete(bad),
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
      const listError = await collect(t.target.list('../')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(listError, 'INVALID_KEY')).toBe(true);
      expect(await collect(t.target.list(t.base))).toEqual([]);
    });
  });
}

/**
 * Registers the concurrency cases: concurrent puts of different keys and of one key.
 *
 * @example
 * describe('local', () => storageTargetSuites.concurrency(factory));
 */
export function concurrency<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('concurrency', () => {
    const t = useTargetHarness(factory, _options);

    it('handles concurrent puts: different keys all land; one key ends whole, as one of the writes', async () => {
      const datas = Array.from({ length: 12 }, (_, i) => pseudoRandom(200_000 + i * 1000, i + 1));
      await Promise.all(datas.map((d, i) => t.target.put(t.key(`many/${i}.bin`), d)));
      for (const [i, d] of datas.entries())
        expect(sha256(await readAll(await t.target.get(t.key(`many/${i}.bin`))))).toBe(sha256(d));
      const rivals = datas.slice(0, 6);
      await Promise.all(rivals.map((d) => t.target.put(t.key('same.bin'), d)));
      const final = await readAll(await t.target.get(t.key('same.bin')));
      expect(rivals.map(sha256)).toContain(sha256(final));
      expect((await t.target.stat(t.key('same.bin')))?.checksum.sha256).toBe(sha256(final));
    });
  });
}

/**
 * Registers the integrity cases: failing sources, expectedSha256, and damaged bytes detected on get (capabilities.verifiesReads).
 *
 * @example
 * describe('local', () => storageTargetSuites.integrity(factory));
 */
export function integrity<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): void {
  describe('integrity', () => {
    const t = useTargetHarness(factory, options);

    it('a source that fails half-way rejects the put and leaves no object', async () => {
      const error = await t.target.put(t.key('broken.bin'), failingSource(1024 * 1024)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(await t.target.stat(t.key('broken.bin'))).toBeUndefined();
      expect(await collect(t.target.list(t.base))).toEqual([]);
    });

    it('rejects a put whose bytes differ from expectedSha256 with CHECKSUM_MISMATCH, storing nothing', async () => {
      const error = await t.target
        .put(t.key('expect.txt'), Buffer.from('actual bytes'), {
          expectedSha256: sha256(Buffer.from('other')),
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
      expect(await t.target.stat(t.key('expect.txt'))).toBeUndefined();
    });

    it('detects damaged bytes on get when it declares capabilities.verifiesReads', async () => {
      const data = pseudoRandom(100_000, 5);
      await t.target.put(t.key('rot.bin'), data);
      if (!t.target.capabilities.verifiesReads) {
        expect(sha256(await readAll(await t.target.get(t.key('rot.bin'))))).toBe(sha256(data));
        return;
      }
      await options.corrupt!(t.target, t.key('rot.bin'));
      const error = await readAll(await t.target.get(t.key('rot.bin'))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    });
  });
}

/**
 * Registers the metadata cases: content type and metadata kept (capabilities.metadata).
 *
 * @example
 * describe('local', () => storageTargetSuites.metadata(factory));
 */
export function metadata<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  _options: StorageTargetContractOptions<T> = {},
): void {
  describe('metadata', () => {
    const t = useTargetHarness(factory, _options);

    it('keeps content type and metadata when it declares capabilities.metadata', async () => {
      await t.target.put(t.key('meta.json'), Buffer.from('{}'), {
        contentType: 'application/json',
        metadata: { session: 's1', phase: '2' },
      });
      const stat = await t.target.stat(t.key('meta.json'));
      expect(stat?.size).toBe(2);
      if (t.target.capabilities.metadata) {
        expect(stat?.contentType).toBe('application/json');
        expect(stat?.metadata).toEqual({ session: 's1', phase: '2' });
      }
    });
  });
}
