import { closeSync, createWriteStream, fsyncSync, openSync } from 'node:fs';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { ChecksumStream } from '../storage/checksum-stream.js';
import type { Checksums } from '../storage/storage-target.js';

/** Owner, mode and type of every entry: the same for everyone, so tars are reproducible and name no user. */
const ENTRY_DEFAULTS = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' } as const;

/** Adds entries to the tar that {@link writeTarGz} writes. */
export interface TarEntries {
  /** Adds the entry `name` of `size` bytes, copied from `input` through `through` (which checks them). */
  addStream(
    name: string,
    size: number,
    mtime: Date,
    input: NodeJS.ReadableStream,
    through: Transform,
  ): Promise<void>;
  /** Adds the entry `name` holding `bytes`. */
  addBuffer(name: string, mtime: Date, bytes: Buffer): Promise<void>;
}

/** What {@link writeTarGz} wrote. */
export interface WrittenTarGz {
  /** Bytes of the file. */
  bytes: number;
  checksum: Checksums;
}

/**
 * Writes a gzip-compressed tar to `file` (mode 0600, fsynced), with the entries `fill` adds in
 * order; memory stays bounded whatever their sizes. Entries have fixed owners and modes. When
 * `fill` throws, the tar is abandoned and the error thrown again.
 *
 * @example
 * const { bytes, checksum } = await writeTarGz('/tmp/out.tar.gz', 6, (tar) =>
 *   tar.addBuffer('manifest.json', new Date(0), Buffer.from('{}\n')),
 * );
 */
export async function writeTarGz(
  file: string,
  level: number,
  fill: (tar: TarEntries) => Promise<void>,
): Promise<WrittenTarGz> {
  const pack = tarPack();
  const digest = new ChecksumStream();
  const written = pipeline(pack, createGzip({ level }), digest, createWriteStream(file, { mode: 0o600 }));
  // Keep the pipeline's rejection observed while entries are written; it is awaited below.
  written.catch(() => undefined);
  const entries: TarEntries = {
    addStream: async (name, size, mtime, input, through) => {
      await pipeline(input, through, pack.entry({ ...ENTRY_DEFAULTS, name, size, mtime }));
    },
    addBuffer: (name, mtime, bytes) =>
      new Promise<void>((resolve, reject) =>
        pack.entry({ ...ENTRY_DEFAULTS, name, size: bytes.length, mtime }, bytes, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
  };
  try {
    await fill(entries);
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
