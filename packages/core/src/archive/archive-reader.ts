import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Header, extract as tarExtract } from 'tar-stream';
import { SatError } from '../errors.js';
import { storageKeyProblem } from '../storage/storage-keys.js';
import { ARCHIVE_MANIFEST_NAME } from './archive-layout.js';
import { type ArchiveManifest, parseArchiveManifest } from './archive-manifest.js';

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** An entry of a phase archive, taken out into the staging folder and checked. */
export interface StagedArchiveEntry {
  path: string;
  /** Where its bytes are now (a numbered file in the staging folder, never a path from the archive). */
  staged: string;
  bytes: number;
  sha256: string;
}

function refuse(where: string, name: string, reason: string): SatError {
  return new SatError(
    'INVALID_BUNDLE',
    `[core] ${where}: entry ${JSON.stringify(name)} refused: ${reason}; nothing was restored`,
    {
      details: { entry: name },
    },
  );
}

class Limited extends Transform {
  readonly hash = createHash('sha256');
  count = 0;
  constructor(
    private readonly limit: number,
    private readonly tooMany: () => Error,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) {
      callback(this.tooMany());
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/** Every entry the archive must hold: each session's bundle and manifest. */
function expectedEntries(manifest: ArchiveManifest): Map<string, { bytes: number; sha256: string }> {
  const out = new Map<string, { bytes: number; sha256: string }>();
  for (const s of manifest.sessions) {
    out.set(s.bundle.path, { bytes: s.bundle.bytes, sha256: s.bundle.sha256 });
    out.set(s.manifestPath, { bytes: -1, sha256: '' });
  }
  return out;
}

/**
 * Takes a phase archive apart into `stagingDir` with the protections of the session bundle
 * reader: only plain relative paths (no absolute path, no `..`, no backslash), only regular files
 * (links and devices are refused), entries written to numbered files (never to a path taken
 * from the archive), each listed in the manifest, none twice, none missing, each of the listed
 * size and SHA-256. The archive's own manifest (its last entry) must agree with `expected` (the
 * manifest beside it) when that is given. Throws `INVALID_BUNDLE` or `CHECKSUM_MISMATCH`.
 * Each session's bundle is then restored by `restoreSession`, which checks its files the same way.
 *
 * @example
 * const { manifest, entries } = await extractArchive(file, staging, 'archive of phase 1', beside);
 */
export async function extractArchive(
  archiveFile: string,
  stagingDir: string,
  where: string,
  expected?: ArchiveManifest,
): Promise<{ manifest: ArchiveManifest; entries: Map<string, StagedArchiveEntry> }> {
  const listed = expected ? expectedEntries(expected) : undefined;
  const staged = new Map<string, StagedArchiveEntry>();
  let inner: ArchiveManifest | undefined;
  let index = 0;

  const handle = async (header: Header, stream: Readable): Promise<void> => {
    const name = header.name;
    const type = header.type ?? 'file';
    const problem = storageKeyProblem(type === 'directory' ? name.replace(/\/$/, '') : name);
    if (problem) throw refuse(where, name, `${problem} (only plain relative paths are allowed)`);
    if (type === 'symlink' || type === 'link')
      throw refuse(
        where,
        name,
        `a link to ${JSON.stringify(header.linkname ?? '')} (archives hold only regular files)`,
      );
    if (type !== 'file' && type !== 'contiguous-file') throw refuse(where, name, `an entry of type ${type}`);
    if (name === ARCHIVE_MANIFEST_NAME) {
      if (inner) throw refuse(where, name, 'appears twice');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > MAX_MANIFEST_BYTES) throw refuse(where, name, 'the manifest is too large');
        chunks.push(chunk as Buffer);
      }
      inner = parseArchiveManifest(
        Buffer.concat(chunks).toString('utf8'),
        `${where} (manifest inside the archive)`,
      );
      return;
    }
    if (inner) throw refuse(where, name, 'comes after the manifest');
    const known = listed?.get(name);
    if (listed && !known) throw refuse(where, name, 'not listed in the manifest');
    if (staged.has(name)) throw refuse(where, name, 'appears twice');
    if (known && known.bytes >= 0 && (header.size ?? 0) !== known.bytes)
      throw refuse(where, name, `${header.size} bytes, the manifest says ${known.bytes}`);
    const file = join(stagingDir, String(index++).padStart(6, '0'));
    const limit = known && known.bytes >= 0 ? known.bytes : (header.size ?? 0);
    const digest = new Limited(limit, () => refuse(where, name, 'more bytes than its header says'));
    await pipeline(stream, digest, createWriteStream(file, { mode: 0o600 }));
    staged.set(name, { path: name, staged: file, bytes: digest.count, sha256: digest.hash.digest('hex') });
  };

  const extract = tarExtract();
  extract.on('entry', (header, stream, next) => {
    handle(header, stream as unknown as Readable).then(
      () => next(),
      (error: unknown) => {
        stream.resume();
        extract.destroy(error as Error);
      },
    );
  });
  try {
    await pipeline(createReadStream(archiveFile), createGunzip(), extract);
  } catch (error) {
    if ((error as { isSatError?: boolean }).isSatError) throw error;
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where} is not a readable tar.gz archive: ${(error as Error).message}; nothing was restored`,
      {
        cause: error,
      },
    );
  }
  if (!inner) throw refuse(where, ARCHIVE_MANIFEST_NAME, 'the archive has no manifest');
  if (expected && JSON.stringify(inner.sessions) !== JSON.stringify(expected.sessions))
    throw refuse(
      where,
      ARCHIVE_MANIFEST_NAME,
      'the manifest inside the archive differs from the one beside it',
    );
  const wanted = expectedEntries(inner);
  for (const name of staged.keys())
    if (!wanted.has(name)) throw refuse(where, name, 'not listed in the manifest');
  for (const s of inner.sessions) {
    const bundle = staged.get(s.bundle.path);
    if (!bundle) throw refuse(where, s.bundle.path, 'listed in the manifest but missing from the archive');
    if (!staged.has(s.manifestPath))
      throw refuse(where, s.manifestPath, 'listed in the manifest but missing from the archive');
    if (bundle.bytes !== s.bundle.bytes || bundle.sha256 !== s.bundle.sha256) {
      throw new SatError(
        'CHECKSUM_MISMATCH',
        `[core] ${where}: ${s.bundle.path} is damaged (${bundle.bytes} bytes, sha256 ${bundle.sha256.slice(0, 16)}…, expected ${s.bundle.bytes} bytes, ${s.bundle.sha256.slice(0, 16)}…); nothing was restored`,
        { details: { entry: s.bundle.path } },
      );
    }
  }
  return { manifest: inner, entries: staged };
}
