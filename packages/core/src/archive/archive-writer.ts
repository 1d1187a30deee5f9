import { createReadStream } from 'node:fs';
import { EntryDigest } from '../backup/entry-digest.js';
import { writeTarGz } from '../backup/tar-pack.js';
import { describeSystemError, SatError } from '../errors.js';
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

/** Fails unless an entry's bytes are exactly the ones `entry` lists. */
function expectedBytes(entry: ArchiveEntrySource): EntryDigest {
  return new EntryDigest({
    check: (bytes, sha256) =>
      bytes === entry.bytes && sha256 === entry.sha256
        ? null
        : new SatError(
            'CHECKSUM_MISMATCH',
            `[core] ${entry.file} changed while the phase archive was written (${bytes} bytes, expected ${entry.bytes}); archive the phase again`,
            { details: { file: entry.file, retryable: true } },
          ),
  });
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
  const mtime = new Date(Math.floor(Date.parse(manifest.createdAt) / 1000) * 1000);
  const total = entries.reduce((sum, e) => sum + e.bytes, 0);
  let done = 0;
  return writeTarGz(file, options.level ?? 6, async (tar) => {
    for (const entry of entries) {
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
      await tar.addStream(entry.path, entry.bytes, mtime, input, expectedBytes(entry));
      done += entry.bytes;
      options.onProgress?.(done, total);
    }
    await tar.addBuffer(ARCHIVE_MANIFEST_NAME, mtime, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  });
}
