/**
 * A `StorageTarget` on GridFS: each object is a GridFS file named by its key; its size, SHA-256,
 * MD5, content type and metadata are in the file document. A put writes a new revision and marks
 * it complete only once every chunk is stored and the checksum matched, then removes the older
 * revisions, so readers see the old object or the new one, never part of one. Of two concurrent
 * puts of one key, the revision with the larger ObjectId wins and the other removes itself.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertStorageKey,
  assertStoragePrefix,
  ChecksumStream,
  type PutOptions,
  type PutResult,
  SatError,
  type StorageCapabilities,
  type StorageTarget,
  type StoredObject,
} from '@sat/core';
import { type Db, type Document, GridFSBucket, type MongoClient, ObjectId } from 'mongodb';
import { ClientLease } from './mongo-client-lease.js';
import { type MongoErrorContext, PKG, toMongoSatError } from './mongo-errors.js';
import { DEFAULT_SERVER_SELECTION_TIMEOUT_MS } from './mongo-store-config.js';
import { mongoLocation, mongoUrlUser } from './mongo-url.js';

/** The GridFS bucket of backups by default. */
export const DEFAULT_GRIDFS_BUCKET = 'sat_backups';

/** Options of {@link MongoGridFsTarget}. */
export interface MongoGridFsTargetOptions {
  /** The connection string (its password is never shown). */
  url: string;
  /** The database. Default `sat`. */
  database?: string;
  /** The GridFS bucket. Default `sat_backups`. */
  bucket?: string;
  /** GridFS chunk size in bytes. Default 255 KiB (GridFS's). */
  chunkSizeBytes?: number;
  /** How long to look for a server before `TARGET_UNAVAILABLE`. Default 10000 ms. */
  serverSelectionTimeoutMS?: number;
  /** A connected client to use (left open by the target). */
  client?: MongoClient;
}

/** What a file document's `metadata` holds. */
interface SatFileMetadata {
  complete: boolean;
  size?: number;
  sha256?: string;
  md5?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** The revision with the largest ObjectId (the last put started). */
function newestOf(docs: Document[]): Document | undefined {
  let best: Document | undefined;
  for (const doc of docs)
    if (!best || (doc._id as ObjectId).toHexString() > (best._id as ObjectId).toHexString()) best = doc;
  return best;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function storedObject(doc: Document): StoredObject {
  const m = doc.metadata as SatFileMetadata;
  return {
    key: doc.filename,
    size: m.size ?? doc.length,
    checksum: { sha256: m.sha256!, md5: m.md5! },
    modified: doc.uploadDate,
    ...(m.contentType ? { contentType: m.contentType } : {}),
    ...(m.metadata ? { metadata: { ...m.metadata } } : {}),
  };
}

/**
 * Backups in MongoDB's GridFS, beside the analytics store (`sat backup --target mongo`).
 *
 * @example
 * const target = new MongoGridFsTarget({ url: process.env.SAT_MONGO_URL! });
 * await target.put('sessions/s1/bundle.tar.gz', Buffer.from('...'));
 * await target.close();
 */
export class MongoGridFsTarget implements StorageTarget {
  readonly name = 'mongo';
  readonly location: string;
  readonly capabilities: StorageCapabilities = Object.freeze({
    resumableUpload: false,
    serverSideChecksum: 'none',
    atomicPut: true,
    archiveTier: false,
    maxObjectSize: Number.POSITIVE_INFINITY,
    deleteMissing: 'ok',
    verifiesReads: true,
    metadata: true,
  });
  private readonly lease: ClientLease;
  private readonly database: string;
  private readonly bucketName: string;
  private readonly context: MongoErrorContext;

  constructor(private readonly options: MongoGridFsTargetOptions) {
    this.database = options.database ?? 'sat';
    this.bucketName = options.bucket ?? DEFAULT_GRIDFS_BUCKET;
    this.location = `${mongoLocation(options.url, this.database)} (GridFS ${this.bucketName})`;
    this.context = {
      action: 'use',
      location: this.location,
      url: options.url,
      database: this.database,
      user: mongoUrlUser(options.url),
    };
    this.lease = new ClientLease(
      options.url,
      options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
      options.client,
    );
  }

  async put(key: string, source: Readable | Buffer, options: PutOptions = {}): Promise<PutResult> {
    assertStorageKey(key, 'store-mongo');
    return this.run(`write ${key} to`, async (db, bucket) => {
      const id = new ObjectId();
      const upload = bucket.openUploadStreamWithId(id, key, {
        metadata: { complete: false },
        ...(this.options.chunkSizeBytes ? { chunkSizeBytes: this.options.chunkSizeBytes } : {}),
      });
      const digest = new ChecksumStream({
        onProgress: options.onProgress,
        check: (actual) =>
          options.expectedSha256 !== undefined && options.expectedSha256 !== actual.checksum.sha256
            ? new SatError(
                'CHECKSUM_MISMATCH',
                `${PKG} the upload of ${key} is damaged: sha256 ${actual.checksum.sha256.slice(0, 16)}…, expected ${options.expectedSha256.slice(0, 16)}… (the source changed while it was read; nothing was stored)`,
                { details: { key, retryable: false } },
              )
            : undefined,
      });
      try {
        await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, digest, upload);
      } catch (error) {
        await bucket.delete(id).catch(() => undefined);
        throw error;
      }
      const { size, checksum } = digest.result();
      const metadata: SatFileMetadata = {
        complete: true,
        size,
        sha256: checksum.sha256,
        md5: checksum.md5,
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
      };
      const files = db.collection(`${this.bucketName}.files`);
      await files.updateOne({ _id: id }, { $set: { metadata } });
      await this.dropRevisions(bucket, key, id);
      return { key, size, checksum };
    });
  }

  async get(key: string): Promise<Readable> {
    assertStorageKey(key, 'store-mongo');
    const release = await this.lease.acquire().catch((error) => {
      throw toMongoSatError(error, { ...this.context, action: `read ${key} from` });
    });
    try {
      const { db, bucket } = await this.open();
      const doc = await this.newest(db, key);
      if (!doc) throw this.notFound(key);
      const expected = doc.metadata as SatFileMetadata;
      const verify = new ChecksumStream({
        check: (actual) =>
          expected.sha256 !== actual.checksum.sha256 || expected.size !== actual.size
            ? new SatError(
                'CHECKSUM_MISMATCH',
                `${PKG} ${key} in ${this.location} is damaged: ${actual.size} bytes, sha256 ${actual.checksum.sha256.slice(0, 16)}…, expected ${expected.size} bytes, sha256 ${expected.sha256?.slice(0, 16)}… (its chunks differ from the checksum recorded when it was written; use another copy)`,
                { details: { key, retryable: false } },
              )
            : undefined,
      });
      const download = bucket.openDownloadStream(doc._id as ObjectId);
      download.on('error', (error) =>
        verify.destroy(toMongoSatError(error, { ...this.context, action: `read ${key} from` })),
      );
      verify.on('close', release);
      download.pipe(verify);
      return verify;
    } catch (error) {
      release();
      throw toMongoSatError(error, { ...this.context, action: `read ${key} from` });
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    assertStorageKey(key, 'store-mongo');
    return this.run(`read ${key} from`, async (db) => {
      const doc = await this.newest(db, key);
      return doc ? storedObject(doc) : undefined;
    });
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix, 'store-mongo');
    const docs = await this.run(`list ${prefix || '(everything)'} in`, async (db) =>
      db
        .collection(`${this.bucketName}.files`)
        .find({ filename: { $regex: `^${escapeRegex(prefix)}` }, 'metadata.complete': true })
        .toArray(),
    );
    const byKey = new Map<string, Document[]>();
    for (const doc of docs) byKey.set(doc.filename, [...(byKey.get(doc.filename) ?? []), doc]);
    for (const revisions of byKey.values()) yield storedObject(newestOf(revisions)!);
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key, 'store-mongo');
    await this.run(`delete ${key} from`, async (db, bucket) => {
      const ids = await db
        .collection(`${this.bucketName}.files`)
        .find({ filename: key }, { projection: { _id: 1 } })
        .toArray();
      for (const { _id } of ids) await bucket.delete(_id as ObjectId).catch(() => undefined);
    });
  }

  /** Closes the client (it also closes by itself one second after the last call). */
  close(): Promise<void> {
    return this.lease.close();
  }

  private async open(): Promise<{ db: Db; bucket: GridFSBucket }> {
    return this.lease.use(async (client) => {
      const db = client.db(this.database);
      return { db, bucket: new GridFSBucket(db, { bucketName: this.bucketName }) };
    });
  }

  private async newest(db: Db, key: string): Promise<Document | undefined> {
    const docs = await db
      .collection(`${this.bucketName}.files`)
      .find({ filename: key, 'metadata.complete': true })
      .toArray();
    return newestOf(docs);
  }

  /** Removes the complete revisions older than `mine`, or `mine` itself when a newer one exists. */
  private async dropRevisions(bucket: GridFSBucket, key: string, mine: ObjectId): Promise<void> {
    const files = await bucket.find({ filename: key, 'metadata.complete': true }).toArray();
    const id = mine.toHexString();
    const newer = files.some((f) => f._id.toHexString() > id);
    for (const file of files) {
      const other = file._id.toHexString();
      if ((newer && other === id) || (!newer && other < id))
        await bucket.delete(file._id).catch(() => undefined);
    }
  }

  private notFound(key: string): SatError {
    return new SatError('NOT_FOUND', `${PKG} no object ${key} in ${this.location}`, {
      details: { key, retryable: false },
    });
  }

  private async run<T>(action: string, fn: (db: Db, bucket: GridFSBucket) => Promise<T>): Promise<T> {
    try {
      return await this.lease.use(async (client) => {
        const db = client.db(this.database);
        return fn(db, new GridFSBucket(db, { bucketName: this.bucketName }));
      });
    } catch (error) {
      throw toMongoSatError(error, { ...this.context, action });
    }
  }
}
