import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Header, extract as tarExtract } from 'tar-stream';
import { SatError } from '../errors.js';
import { storageKeyProblem } from '../storage/storage-keys.js';
import { MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, type BundleFile, parseManifest } from './backup-manifest.js';

/** Largest manifest read from a bundle. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** One file taken out of a bundle into the staging folder, checked against the manifest. */
export interface StagedFile {
  entry: BundleFile;
  /** Where its bytes are now (a numbered file in the staging folder). */
  staged: string;
}

function refuse(where: string, name: string, reason: string): SatError {
  return new SatError(
    'INVALID_BUNDLE',
    `[core] ${where}: entry ${JSON.stringify(name)} refused: ${reason}; nothing was restored`,
    { details: { entry: name } },
  );
}

/** Counts and hashes an entry's bytes, failing as soon as there are more than `limit`. */
class LimitedDigest extends Transform {
  readonly hash = createHash('sha256');
  count = 0;
  constructor(
    private readonly limit: number,
    private readonly onError: () => Error,
    private readonly onBytes?: (n: number) => void,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) {
      callback(this.onError());
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }
}

async function readSmall(stream: Readable, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Takes a bundle apart into `stagingDir`, refusing anything unsafe or unexpected before a single
 * byte reaches its real place: absolute paths, `..` segments, links of any kind (a link could
 * point outside), devices, entries the manifest does not list, listed files that are missing,
 * duplicated, of another size or with another SHA-256. Entries are written to numbered files in
 * the staging folder (never to a path taken from the bundle). Throws `INVALID_BUNDLE` or
 * `CHECKSUM_MISMATCH`.
 *
 * @example
 * const staged = await extractBundle('/tmp/bundle.tar.gz', manifest, '/tmp/staging', 'backup of s1');
 */
export async function extractBundle(
  bundleFile: string,
  manifest: BackupManifest,
  stagingDir: string,
  where: string,
  onBytes?: (n: number) => void,
): Promise<StagedFile[]> {
  const expected = new Map(manifest.files.map((file) => [file.path, file]));
  const staged = new Map<string, StagedFile>();
  let inner: BackupManifest | undefined;
  let index = 0;

  const handle = async (header: Header, stream: Readable): Promise<void> => {
    const name = header.name;
    const type = header.type ?? 'file';
    const problem = storageKeyProblem(type === 'directory' ? name.replace(/\/$/, '') : name);
    if (problem) throw refuse(where, name, `${problem} (only plain relative paths are allowed)`);
    if (type === 'symlink' || type === 'link') {
      const target = header.linkname ?? '';
      const outside = target.startsWith('/') || target.split('/').includes('..');
      throw refuse(
        where,
        name,
        `a ${type === 'link' ? 'hard' : 'symbolic'} link to ${JSON.stringify(target)}${outside ? ', pointing outside the bundle' : ''} (bundles hold only regular files)`,
      );
    }
    if (type === 'directory') {
      stream.resume();
      return;
    }
    if (type !== 'file' && type !== 'contiguous-file') throw refuse(where, name, `an entry of type ${type}`);
    if (name === MANIFEST_NAME) {
      const text = await readSmall(stream, MAX_MANIFEST_BYTES, () =>
        refuse(where, name, 'the manifest is too large'),
      );
      inner = parseManifest(text.toString('utf8'), `${where} (manifest inside the bundle)`);
      return;
    }
    const entry = expected.get(name);
    if (!entry) throw refuse(where, name, 'not listed in the manifest');
    if (staged.has(name)) throw refuse(where, name, 'appears twice');
    if ((header.size ?? 0) !== entry.bytes)
      throw refuse(where, name, `${header.size} bytes, the manifest says ${entry.bytes}`);
    const file = join(stagingDir, String(index++).padStart(6, '0'));
    const digest = new LimitedDigest(
      entry.bytes,
      () => refuse(where, name, 'more bytes than the manifest says'),
      onBytes,
    );
    await pipeline(stream, digest, createWriteStream(file, { mode: 0o600 }));
    const sha256 = digest.hash.digest('hex');
    if (digest.count !== entry.bytes || sha256 !== entry.sha256) {
      throw new SatError(
        'CHECKSUM_MISMATCH',
        `[core] ${where}: ${name} is damaged (${digest.count} bytes, sha256 ${sha256.slice(0, 16)}…, expected ${entry.bytes} bytes, ${entry.sha256.slice(0, 16)}…); nothing was restored`,
        { details: { entry: name } },
      );
    }
    staged.set(name, { entry, staged: file });
  };

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
    await pipeline(createReadStream(bundleFile), createGunzip(), extract);
  } catch (error) {
    if ((error as { isSatError?: boolean }).isSatError) throw error;
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where} is not a readable tar.gz bundle: ${(error as Error).message}; nothing was restored`,
      {
        cause: error,
      },
    );
  }
  for (const path of expected.keys())
    if (!staged.has(path)) throw refuse(where, path, 'listed in the manifest but missing from the bundle');
  if (inner) {
    const same =
      JSON.stringify(inner.files) === JSON.stringify(manifest.files) && inner.session === manifest.session;
    if (!same)
      throw refuse(where, MANIFEST_NAME, 'the manifest inside the bundle differs from the one beside it');
  }
  return manifest.files.map((file) => staged.get(file.path)!);
}
