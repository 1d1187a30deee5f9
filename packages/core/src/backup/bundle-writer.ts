import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fstatSync,
  fsyncSync,
  openSync,
  statSync,
} from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { describeSystemError, SatError } from '../errors.js';
import { ChecksumStream } from '../storage/checksum-stream.js';
import type { Checksums } from '../storage/storage-target.js';
import { MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, type BundleFile, MANIFEST_FORMAT } from './backup-manifest.js';
import type { BundleSource } from './session-sources.js';

/** Options of {@link writeBundle}. */
export interface WriteBundleOptions {
  /** gzip level 1-9. Default 6. */
  level?: number;
  /** Told the bytes of input read so far and the total to read. */
  onProgress?: (bytes: number, total: number) => void;
}

/** What {@link writeBundle} wrote. */
export interface WrittenBundle {
  /** The manifest inside the bundle (its files with their sizes and SHA-256). */
  manifest: BackupManifest;
  /** Bytes of the bundle file. */
  bytes: number;
  checksum: Checksums;
}

/** Owner, mode and type of every entry: the same for everyone, so bundles are reproducible and name no user. */
const ENTRY_DEFAULTS = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' } as const;

/** Hashes the bytes of one entry and checks that exactly `expected` of them came. */
class EntryDigest extends Transform {
  readonly hash = createHash('sha256');
  count = 0;
  constructor(
    private readonly expected: number,
    private readonly onBytes: (n: number) => void,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    this.onBytes(chunk.length);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    callback(
      this.count === this.expected ? null : new Error(`read ${this.count} bytes, expected ${this.expected}`),
    );
  }
}

/**
 * Streams `sources` into a gzip-compressed tar at `file` (fsynced), hashing each file on the way,
 * and ends the tar with `manifest.json` listing every file with its size and SHA-256. Memory
 * stays bounded whatever the sizes: nothing is buffered whole. The same files give the same
 * bundle, byte for byte (fixed owners, the files' own times, no creation time inside).
 *
 * @example
 * const { checksum, manifest } = await writeBundle(sources, base, '/tmp/bundle.tar.gz');
 */
export async function writeBundle(
  sources: readonly BundleSource[],
  base: Omit<BackupManifest, 'files' | 'format'>,
  file: string,
  options: WriteBundleOptions = {},
): Promise<WrittenBundle> {
  const pack = tarPack();
  const digest = new ChecksumStream();
  const written = pipeline(
    pack,
    createGzip({ level: options.level ?? 6 }),
    digest,
    createWriteStream(file, { mode: 0o600 }),
  );
  // Keep the pipeline's rejection observed while entries are written; it is awaited below.
  written.catch(() => undefined);

  const files: BundleFile[] = [];
  const total = { read: 0, all: 0 };
  for (const source of sources)
    total.all += source.bytes ?? statSync(source.file, { throwIfNoEntry: false })?.size ?? 0;
  try {
    for (const source of sources) {
      let fd: number;
      try {
        fd = openSync(source.file, 'r');
      } catch (error) {
        throw new SatError(
          'IO_ERROR',
          `[core] cannot read ${source.file} for the backup: ${describeSystemError(error)}`,
          { cause: error, details: { file: source.file } },
        );
      }
      try {
        const stat = fstatSync(fd);
        const size = source.bytes ?? stat.size;
        const mtime = new Date(Math.floor((source.mtime ?? stat.mtime).getTime() / 1000) * 1000);
        const entry = pack.entry({ ...ENTRY_DEFAULTS, name: source.path, size, mtime });
        const hashing = new EntryDigest(size, (n) => {
          total.read += n;
          options.onProgress?.(total.read, total.all);
        });
        const input =
          size === 0
            ? Readable.from([])
            : createReadStream('', {
                fd,
                start: 0,
                end: size - 1,
                autoClose: false,
                highWaterMark: 256 * 1024,
              });
        try {
          await pipeline(input, hashing, entry);
        } catch (error) {
          throw new SatError(
            'IO_ERROR',
            `[core] ${source.file} changed while it was being backed up (${(error as Error).message}); run the backup again`,
            { cause: error, details: { file: source.file } },
          );
        }
        files.push({
          path: source.path,
          kind: source.kind,
          bytes: size,
          sha256: hashing.hash.digest('hex'),
          mtime: mtime.toISOString(),
        });
      } finally {
        closeSync(fd);
      }
    }
    const manifest: BackupManifest = { format: MANIFEST_FORMAT, ...base, files };
    if (!manifest.log.closed) {
      const logFile = files.find((f) => f.path === manifest.log.file);
      if (logFile) manifest.log = { ...manifest.log, sha256: logFile.sha256, bytes: logFile.bytes };
    }
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const manifestTime = new Date(Math.max(0, ...files.map((f) => Date.parse(f.mtime))));
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { ...ENTRY_DEFAULTS, name: MANIFEST_NAME, size: text.length, mtime: manifestTime },
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
    return { manifest, bytes: size, checksum };
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
}
