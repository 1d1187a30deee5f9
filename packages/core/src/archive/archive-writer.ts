import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { describeSystemError, SatError } from '../errors.js';
import { ChecksumStream } from '../storage/checksum-stream.js';
import type { Checksums } from '../storage/storage-target.js';
import { ARCHIVE_MANIFEST_NAME } from './archive-layout.js';
import type { ArchiveManifest } from './archive-manifest.js';

/** One file that goes into a phase archive, with the bytes and SHA-256 it must have. */
export interface ArchiveEntrySource {
  /** Path inside the archive (`sessions/s1/bundle.tar.gz`). */
  path: string;
  file: string;
  bytes: number;
  sha256: string;
}

/** What {@link writeArchive} wrote. */
export interface WrittenArchive {
  bytes: number;
  checksum: Checksums;
}

const ENTRY_DEFAULTS = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' } as const;

/** Hashes an entry's bytes and fails unless they are exactly the expected ones. */
class ExpectedBytes extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  constructor(private readonly entry: ArchiveEntrySource) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const sha256 = this.hash.digest('hex');
    callback(
      this.count === this.entry.bytes && sha256 === this.entry.sha256
        ? null
        : new SatError(
            'CHECKSUM_MISMATCH',
            `[core] ${this.entry.file} changed while the phase archive was written (${this.count} bytes, expected ${this.entry.bytes}); archive the phase again`,
            { details: { file: this.entry.file, retryable: true } },
          ),
    );
  }
}

/**
 * Streams `entries` into a gzip-compressed tar at `file` (fsynced) and ends it with
 * `manifest.json` (the phase archive manifest). Each entry's bytes are checked against the size
 * and SHA-256 the manifest lists while they are copied; memory stays bounded whatever the sizes.
 * Owners, modes and times are fixed, so the same entries and manifest give the same archive.
 *
 * @example
 * const { bytes, checksum } = await writeArchive(entries, manifest, '/tmp/phase.tar.gz');
 */
export async function writeArchive(
  entries: readonly ArchiveEntrySource[],
  manifest: ArchiveManifest,
  file: string,
  options: { level?: number; onProgress?: (bytes: number, total: number) => void } = {},
): Promise<WrittenArchive> {
  const pack = tarPack();
  const digest = new ChecksumStream();
  const written = pipeline(
    pack,
    createGzip({ level: options.level ?? 6 }),
    digest,
    createWriteStream(file, { mode: 0o600 }),
  );
  written.catch(() => undefined);
  const mtime = new Date(Math.floor(Date.parse(manifest.createdAt) / 1000) * 1000);
  const total = entries.reduce((sum, e) => sum + e.bytes, 0);
  let done = 0;
  try {
    for (const entry of entries) {
      const sink = pack.entry({ ...ENTRY_DEFAULTS, name: entry.path, size: entry.bytes, mtime });
      let input: NodeJS.ReadableStream;
      try {
        input = createReadStream(entry.file, { highWaterMark: 256 * 1024 });
      } catch (error) {
        throw new SatError(
          'IO_ERROR',
          `[core] cannot read ${entry.file} for the phase archive: ${describeSystemError(error)}`,
          {
            cause: error,
          },
        );
      }
      await pipeline(input, new ExpectedBytes(entry), sink);
      done += entry.bytes;
      options.onProgress?.(done, total);
    }
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { ...ENTRY_DEFAULTS, name: ARCHIVE_MANIFEST_NAME, size: text.length, mtime },
        text,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    pack.finalize();
    await written;
    const fd = openSync(file, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const { size, checksum } = digest.result();
    return { bytes: size, checksum };
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
}
