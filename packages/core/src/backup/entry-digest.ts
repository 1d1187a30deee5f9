import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Options of {@link EntryDigest}. */
export interface EntryDigestOptions {
  /** Most bytes allowed; one more fails the stream with `tooMany()`. Default: no limit. */
  limit?: number;
  /** The error for more than `limit` bytes. */
  tooMany?: () => Error;
  /** Told the size of each chunk as it passes. */
  onBytes?: (n: number) => void;
  /** Called at the end with the count and SHA-256; an error it returns fails the stream. */
  check?: (bytes: number, sha256: string) => Error | null;
}

/**
 * Passes a tar entry's bytes through, counting them and hashing them with SHA-256.
 *
 * @example
 * const digest = new EntryDigest({ limit: 1024, tooMany: () => new Error('too long') });
 * await pipeline(input, digest, output);
 * console.log(digest.count, digest.sha256);
 */
export class EntryDigest extends Transform {
  /** Bytes seen so far. */
  count = 0;
  private readonly hash = createHash('sha256');
  private digest?: string;

  constructor(private readonly options: EntryDigestOptions = {}) {
    super({ highWaterMark: 256 * 1024 });
  }

  /** Hex SHA-256 of the bytes seen; read it once the stream has ended. */
  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    const { limit, tooMany } = this.options;
    if (limit !== undefined && this.count > limit) {
      callback(tooMany?.() ?? new Error(`more than ${limit} bytes`));
      return;
    }
    this.hash.update(chunk);
    try {
      this.options.onBytes?.(chunk.length);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.options.check?.(this.count, this.sha256) ?? null);
  }
}
