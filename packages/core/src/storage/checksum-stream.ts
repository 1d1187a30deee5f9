import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Checksums } from './storage-target.js';

/**
 * A pass-through stream that counts bytes and computes SHA-256 and MD5 of everything that flows
 * through it. `result()` is available once the stream has finished. An optional `check` runs at
 * the end and may fail the stream (so a reader sees the error before `end`).
 *
 * @example
 * const digest = new ChecksumStream();
 * await pipeline(source, digest, destination);
 * digest.result(); // { size, checksum: { sha256, md5 } }
 */
export class ChecksumStream extends Transform {
  private readonly sha256 = createHash('sha256');
  private readonly md5: Hash = createHash('md5');
  private bytes = 0;
  private done?: { size: number; checksum: Checksums };

  constructor(
    private readonly options: {
      /** Runs once all bytes passed; return an error to fail the stream. */
      check?: (result: { size: number; checksum: Checksums }) => Error | undefined;
      /** Told the running byte count after each chunk. */
      onProgress?: (bytes: number) => void;
    } = {},
  ) {
    super();
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  /** Hashes and counts `chunk`, then passes it on unchanged. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.bytes += chunk.length;
    this.options.onProgress?.(this.bytes);
    callback(null, chunk);
  }

  /** Records the final size and checksums when the input ends. */
  override _flush(callback: TransformCallback): void {
    this.done = {
      size: this.bytes,
      checksum: { sha256: this.sha256.digest('hex'), md5: this.md5.digest('hex') },
    };
    callback(this.options.check?.(this.done) ?? null);
  }

  /** Size and checksums of every byte that passed; throws before the stream has finished. */
  result(): { size: number; checksum: Checksums } {
    if (!this.done) throw new Error('ChecksumStream.result() called before the stream finished');
    return this.done;
  }
}

/** A writable that discards what it gets (the end of a hashing pipeline). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

/**
 * Reads `source` to the end and returns its size and checksums, in constant memory.
 *
 * @example
 * const { size, checksum } = await checksumOf(await target.get('a.txt'));
 */
export async function checksumOf(source: Readable | Buffer): Promise<{ size: number; checksum: Checksums }> {
  const digest = new ChecksumStream();
  await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, digest, discard());
  return digest.result();
}
