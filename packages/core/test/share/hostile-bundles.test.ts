import { createWriteStream, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { importBundle, type SatConfig, shareSession } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { person, tree, writeOpenSession } from './share-fixtures.js';

const S = 'hostile-1';

type Entry = { name: string; data?: Buffer; type?: 'file' | 'symlink'; linkname?: string };

async function craft(file: string, entries: readonly Entry[]): Promise<void> {
  const pack = tarPack();
  const done = pipeline(pack as unknown as Readable, createGzip(), createWriteStream(file));
  for (const entry of entries) {
    if (entry.type === 'symlink') pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname });
    else pack.entry({ name: entry.name, size: entry.data!.length }, entry.data!);
  }
  pack.finalize();
  await done;
}

/** The entries of a real shared bundle, to be tampered with. */
async function entriesOf(file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tarExtract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      entries.push({ name: header.name, data: Buffer.concat(chunks) });
      next();
    });
  });
  const done = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  extract.end(gunzipSync(readFileSync(file)));
  await done;
  return entries;
}

describe('importBundle refuses a crafted or damaged bundle and changes nothing', () => {
  let ana: SatConfig;
  let genuine: Buffer;
  let entries: Entry[];
  beforeAll(async () => {
    ana = person('ana');
    await writeOpenSession(ana, S, 12);
    // Kept in memory: the temporary folders are removed after each test.
    const file = (await shareSession(ana, S, { out: join(tempDir(), 'genuine.sat.tgz') })).file;
    genuine = readFileSync(file);
    entries = await entriesOf(file);
  });

  const manifest = () => entries.find((e) => e.name === 'manifest.json')!;
  const log = () => entries.find((e) => e.name === `logs/${S}.jsonl`)!;

  const cases: Array<[string, (file: string) => Promise<void>, RegExp, string?]> = [
    [
      'a path that climbs out (..)',
      (f) => craft(f, [{ name: '../evil', data: Buffer.from('x') }, manifest()]),
      /\.\./,
    ],
    [
      'an absolute path',
      (f) => craft(f, [{ name: '/etc/evil', data: Buffer.from('x') }, manifest()]),
      /evil/,
    ],
    [
      'a symbolic link',
      (f) =>
        craft(f, [{ name: `logs/${S}.jsonl`, type: 'symlink', linkname: '../../../etc/passwd' }, manifest()]),
      /symbolic link/,
    ],
    [
      'a log whose bytes are not the listed ones',
      (f) => {
        const data = Buffer.from(log().data!);
        data[data.length - 5] = 0x30 + ((data[data.length - 5]! + 1) % 10);
        return craft(f, [{ name: log().name, data }, manifest()]);
      },
      /damaged/,
      'CHECKSUM_MISMATCH',
    ],
    [
      'a truncated file',
      async (f) => {
        writeFileSync(f, genuine);
        truncateSync(f, Math.floor(genuine.length / 2));
      },
      /not a readable tar\.gz/,
    ],
    ['no manifest', (f) => craft(f, [log()]), /no manifest\.json/],
    [
      'a file the manifest does not list',
      (f) => craft(f, [log(), { name: 'logs/other.jsonl', data: Buffer.from('{}\n') }, manifest()]),
      /not listed/,
    ],
    ['bytes that are not gzip', async (f) => writeFileSync(f, '{"not":"a bundle"}\n'), /not a readable/],
  ];

  for (const [what, make, message, code = 'INVALID_BUNDLE'] of cases) {
    it(`refuses ${what}`, async () => {
      const bob = person('bob');
      await writeOpenSession(bob, 'mine', 5);
      const before = tree(bob.root);
      const file = join(tempDir(), 'crafted.sat.tgz');
      await make(file);
      const error = await importBundle(bob, file).catch((e: unknown) => e);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(file);
      expect(tree(bob.root)).toEqual(before);
    });
  }

  it('refuses a bundle that expands past backup.restoreMaxBytes before writing a byte of it', async () => {
    const bob = person('bob', 'bob-laptop', { backup: { restoreMaxBytes: 100 } });
    mkdirSync(bob.paths.logs, { recursive: true });
    const before = tree(bob.root);
    const file = join(tempDir(), 'genuine.sat.tgz');
    writeFileSync(file, genuine);
    const error = await importBundle(bob, file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_BUNDLE' });
    expect((error as Error).message).toMatch(/restore limit of 100 bytes/);
    expect(tree(bob.root)).toEqual(before);
  });
});
