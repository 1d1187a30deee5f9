import type { Readable } from 'node:stream';

/** The checksums every {@link StorageTarget} call reports for an object's bytes (lower-case hex). */
export interface Checksums {
  /** SHA-256 of the object's bytes. */
  sha256: string;
  /** MD5 of the object's bytes (what S3 ETags and Google Drive's `md5Checksum` hold). */
  md5: string;
}

/** Options of {@link StorageTarget.put}. */
export interface PutOptions {
  /** MIME type of the object. Default `application/octet-stream`. */
  contentType?: string;
  /**
   * Small string pairs stored with the object (S3 user metadata, Drive `appProperties`). Never
   * put credentials here: metadata is stored in clear text beside the data.
   */
  metadata?: Record<string, string>;
  /**
   * The SHA-256 the caller expects the bytes to have. When given, a target that sees other bytes
   * rejects the put with `CHECKSUM_MISMATCH` and keeps no object.
   */
  expectedSha256?: string;
  /** Told how many bytes have been sent so far (for progress bars). */
  onProgress?: (bytesSent: number) => void;
}

/** What {@link StorageTarget.put} stored. */
export interface PutResult {
  key: string;
  /** Bytes stored. */
  size: number;
  checksum: Checksums;
}

/** One stored object, as {@link StorageTarget.stat} and {@link StorageTarget.list} report it. */
export interface StoredObject {
  key: string;
  size: number;
  checksum: Checksums;
  /** When the object was last written. */
  modified: Date;
  contentType?: string;
  /** The metadata given at put (only on targets whose `capabilities.metadata` is true). */
  metadata?: Record<string, string>;
}

/** A checksum algorithm a storage service computes over the stored bytes by itself. */
export type ServerChecksum = 'md5' | 'sha256' | 'crc32c' | 'none';

/**
 * What a target can do. Callers read these instead of guessing from the target's type; the
 * contract suite (`describeStorageTarget`) checks each declared behaviour.
 */
export interface StorageCapabilities {
  /** An interrupted upload can be resumed where it stopped (S3 multipart, Drive resumable). */
  resumableUpload: boolean;
  /** The checksum the storage keeps over the stored bytes independently of the uploader. */
  serverSideChecksum: ServerChecksum;
  /** A put either stores all of the new bytes or leaves the previous object (or none) untouched. */
  atomicPut: boolean;
  /** Objects can be moved to a cheaper, slower tier (S3 Glacier). */
  archiveTier: boolean;
  /** Largest object in bytes (`Number.POSITIVE_INFINITY` when the target sets no limit). */
  maxObjectSize: number;
  /** What {@link StorageTarget.delete} does with a key that does not exist: nothing, or `NOT_FOUND`. */
  deleteMissing: 'ok' | 'not-found';
  /** {@link StorageTarget.get} checks the bytes against the stored checksum (`CHECKSUM_MISMATCH` on damage). */
  verifiesReads: boolean;
  /** `contentType` and `metadata` given at put come back from stat and list. */
  metadata: boolean;
}

/**
 * One place that keeps objects: a local folder (the default, also a mounted NAS or a synced
 * folder), Google Drive, S3, MongoDB. Backup and archive code talks only to this interface, so a
 * target can be swapped by configuration.
 *
 * Keys are `/`-separated relative paths (`SubAgentTracking/Phase_0/sessions/s1/bundle.tar.gz`):
 * no empty, `.` or `..` segment, no leading `/`, no backslash or NUL (see `assertStorageKey`).
 *
 * Errors are `SatError`s with these codes: `INVALID_KEY` (a bad key, never sent anywhere),
 * `NOT_FOUND`, `TARGET_UNAVAILABLE` (cannot be reached now: retry later; `details.retryable` is
 * true), `TARGET_ERROR` (a permanent refusal: fix the configuration), `CHECKSUM_MISMATCH`
 * (the bytes are not the ones stored or expected). No message or detail ever holds a credential.
 *
 * @example
 * const target = new LocalDirectoryTarget({ dir: '/mnt/nas/sat' });
 * const { checksum } = await target.put('notes/a.txt', Buffer.from('hello'));
 * const stream = await target.get('notes/a.txt');
 */
export interface StorageTarget {
  /** Short kind of target: `local`, `gdrive`, `s3`, `mongo`. */
  readonly name: string;
  /**
   * Where the objects go, for people (`/mnt/nas/sat`, `s3://bucket/prefix`). Never holds a
   * credential: it is printed and written into backup markers.
   */
  readonly location: string;
  readonly capabilities: StorageCapabilities;
  /** Stores `source` under `key` (streamed: the source is never held in memory whole), replacing any object there. */
  put(key: string, source: Readable | Buffer, options?: PutOptions): Promise<PutResult>;
  /** Streams an object's bytes. Rejects with `NOT_FOUND` when there is none; the stream errors on damage when `verifiesReads`. */
  get(key: string): Promise<Readable>;
  /** An object's size, checksums and time, or undefined when there is none. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix` (a plain string prefix, as in S3), in no set order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Removes an object; for a missing key see `capabilities.deleteMissing`. */
  delete(key: string): Promise<void>;
}
