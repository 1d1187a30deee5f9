import { closeSync, createReadStream, fstatSync, openSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describeSystemError, SatError } from '../errors.js';
import type { Checksums } from '../storage/storage-target.js';
import { MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, type BundleFile, MANIFEST_FORMAT } from './backup-manifest.js';
import { EntryDigest } from './entry-digest.js';
import type { BundleSource, SessionSources } from './session-sources.js';
import { writeTarGz } from './tar-pack.js';

/** Options of {@link writeBundle}. */
export interface WriteBundleOptions {
  /** gzip level 1-9. Default 6. */
  level?: number;
  /** Told the bytes of input read so far and the total to read. */
  onProgress?: (bytes: number, total: number) => void;
  /** The manifest's `format`. Default `sat-backup/1`; a shared bundle is `sat-backup/2`. */
  format?: BackupManifest['format'];
}

/** What {@link writeBundle} wrote. */
export interface WrittenBundle {
  /** The manifest inside the bundle (its files with their sizes and SHA-256). */
  manifest: BackupManifest;
  /** Bytes of the bundle file. */
  bytes: number;
  checksum: Checksums;
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
  const files: BundleFile[] = [];
  const total = { read: 0, all: 0 };
  for (const source of sources)
    total.all += source.bytes ?? statSync(source.file, { throwIfNoEntry: false })?.size ?? 0;
  let manifest: BackupManifest | undefined;
  const written = await writeTarGz(file, options.level ?? 6, async (tar) => {
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
        const hashing = new EntryDigest({
          onBytes: (n) => {
            total.read += n;
            options.onProgress?.(total.read, total.all);
          },
          check: (bytes) => (bytes === size ? null : new Error(`read ${bytes} bytes, expected ${size}`)),
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
          await tar.addStream(source.path, size, mtime, input, hashing);
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
          sha256: hashing.sha256,
          mtime: mtime.toISOString(),
        });
      } finally {
        closeSync(fd);
      }
    }
    const inner: BackupManifest = { format: options.format ?? MANIFEST_FORMAT, ...base, files };
    if (!inner.log.closed) {
      const logFile = files.find((f) => f.path === inner.log.file);
      if (logFile) inner.log = { ...inner.log, sha256: logFile.sha256, bytes: logFile.bytes };
    }
    const manifestTime = new Date(Math.max(0, ...files.map((f) => Date.parse(f.mtime))));
    await tar.addBuffer(MANIFEST_NAME, manifestTime, Buffer.from(`${JSON.stringify(inner, null, 2)}\n`));
    manifest = inner;
  });
  return { manifest: manifest!, ...written };
}

/**
 * Writes the bundle of a session's collected sources with {@link writeBundle}, its manifest
 * naming the session, its `phase`, its log and the warnings found while collecting.
 *
 * @example
 * const found = await collectSessionSources(config, 's1', { workDir });
 * const { manifest } = await writeSessionBundle(found, '1', join(workDir, 'bundle.tar.gz'));
 */
export function writeSessionBundle(
  found: SessionSources,
  phase: string,
  file: string,
  options: WriteBundleOptions = {},
): Promise<WrittenBundle> {
  const { log } = found;
  return writeBundle(
    found.sources,
    {
      session: found.session,
      phase,
      log: {
        file: log.path,
        closed: log.closed,
        sha256: log.sha256 ?? '',
        bytes: log.bytes,
        lastSeq: log.lastSeq,
      },
      warnings: found.warnings,
    },
    file,
    options,
  );
}
