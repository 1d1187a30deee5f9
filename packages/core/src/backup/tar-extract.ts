import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Header, extract as tarExtract } from 'tar-stream';
import { SatError } from '../errors.js';
import { storageKeyProblem } from '../storage/storage-keys.js';
import { EntryDigest } from './entry-digest.js';

/**
 * The `INVALID_BUNDLE` error for an entry of a bundle or archive that is refused.
 *
 * @example
 * throw refuseEntry('backup of s1', '../x', 'a `..` segment');
 */
export function refuseEntry(where: string, name: string, reason: string): SatError {
  return new SatError(
    'INVALID_BUNDLE',
    `[core] ${where}: entry ${JSON.stringify(name)} refused: ${reason}; nothing was restored`,
    { details: { entry: name } },
  );
}

/**
 * The `CHECKSUM_MISMATCH` error for an entry whose bytes are not the ones its manifest lists.
 *
 * @example
 * throw damagedEntry('backup of s1', 'logs/s1.jsonl.gz', staged, listed);
 */
export function damagedEntry(
  where: string,
  name: string,
  got: { bytes: number; sha256: string },
  expected: { bytes: number; sha256: string },
): SatError {
  return new SatError(
    'CHECKSUM_MISMATCH',
    `[core] ${where}: ${name} is damaged (${got.bytes} bytes, sha256 ${got.sha256.slice(0, 16)}…, expected ${expected.bytes} bytes, ${expected.sha256.slice(0, 16)}…); nothing was restored`,
    { details: { entry: name } },
  );
}

/** What {@link checkEntryHeader} accepts besides regular files, and how it names refused links. */
export interface EntryRules {
  /** The reason given for refusing a hard or symbolic link to `target`. */
  describeLink: (type: 'link' | 'symlink', target: string) => string;
  /** Let directory entries through (the caller skips them) instead of refusing them. Default false. */
  directories?: boolean;
}

/**
 * Refuses an entry that is not a regular file at a plain relative path: absolute paths, `..`
 * segments, backslashes, links (named by `rules.describeLink`), devices and fifos, and
 * directories unless `rules.directories`. Returns `directory` or `file`.
 *
 * @example
 * if (checkEntryHeader(header, 'backup of s1', { describeLink, directories: true }) === 'directory') stream.resume();
 */
export function checkEntryHeader(header: Header, where: string, rules: EntryRules): 'file' | 'directory' {
  const { name } = header;
  const type = header.type ?? 'file';
  const problem = storageKeyProblem(type === 'directory' ? name.replace(/\/$/, '') : name);
  if (problem) throw refuseEntry(where, name, `${problem} (only plain relative paths are allowed)`);
  if (type === 'symlink' || type === 'link')
    throw refuseEntry(where, name, rules.describeLink(type, header.linkname ?? ''));
  if (type === 'directory' && rules.directories) return 'directory';
  if (type !== 'file' && type !== 'contiguous-file')
    throw refuseEntry(where, name, `an entry of type ${type}`);
  return 'file';
}

/**
 * Reads a whole small entry (a manifest), throwing `tooLarge()` past `limit` bytes.
 *
 * @example
 * const text = (await readLimited(stream, 1 << 20, () => new Error('too large'))).toString('utf8');
 */
export async function readLimited(stream: Readable, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An entry's bytes written to the staging folder. */
export interface StagedBytes {
  /** The numbered file in the staging folder (never a path taken from the tar). */
  staged: string;
  bytes: number;
  sha256: string;
}

/**
 * Writes an entry's bytes to the numbered file `index` of `stagingDir` (mode 0600), hashing
 * them and failing with `tooMany()` past `limit` bytes.
 *
 * @example
 * const { staged, sha256 } = await stageEntry(stream, '/tmp/staging', 0, entry.bytes, () => tooLong);
 */
export async function stageEntry(
  stream: Readable,
  stagingDir: string,
  index: number,
  limit: number,
  tooMany: () => Error,
  onBytes?: (n: number) => void,
): Promise<StagedBytes> {
  const staged = join(stagingDir, String(index).padStart(6, '0'));
  const digest = new EntryDigest({ limit, tooMany, onBytes });
  await pipeline(stream, digest, createWriteStream(staged, { mode: 0o600 }));
  return { staged, bytes: digest.count, sha256: digest.sha256 };
}

/**
 * Reads the gzip-compressed tar `file`, handing its entries one at a time to `handle`; the
 * first error `handle` throws stops the reading and is thrown again. A file that is not a
 * readable tar.gz throws `INVALID_BUNDLE` naming `where` and the `noun` (`bundle`, `archive`).
 *
 * @example
 * await readTarGz('/tmp/bundle.tar.gz', 'backup of s1', 'bundle', async (header, stream) => {
 *   stream.resume();
 * });
 */
export async function readTarGz(
  file: string,
  where: string,
  noun: string,
  handle: (header: Header, stream: Readable) => Promise<void>,
): Promise<void> {
  const extract = tarExtract();
  extract.on('entry', (header, stream, next) => {
    // tar-stream's entries are streamx streams, which Node's stream utilities accept.
    handle(header, stream as unknown as Readable).then(
      () => next(),
      (error: unknown) => {
        stream.resume();
        extract.destroy(error as Error);
      },
    );
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), extract);
  } catch (error) {
    if ((error as { isSatError?: boolean }).isSatError) throw error;
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where} is not a readable tar.gz ${noun}: ${(error as Error).message}; nothing was restored`,
      { cause: error },
    );
  }
}
