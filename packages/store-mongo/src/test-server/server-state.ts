/**
 * What the test server holds: its databases of {@link MemoryCollection}s and the open cursors.
 */
import { BSON, type Document } from 'bson';
import { MemoryCollection } from './memory-collection.js';
import { CommandError, unsupportedOption } from './mongo-errors.js';

/** Fields any command may carry that change nothing here (sessions, read/write concerns, API). */
const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'maxTimeMS',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'txnNumber',
]);

/**
 * Fails with `BadValue` on any field of `command` that is neither generic nor in `allowed`, so a
 * test relying on an option the server would ignore fails instead of passing.
 */
export function checkFields(command: Document, name: string, allowed: readonly string[]): void {
  if (command.startTransaction !== undefined || command.autocommit !== undefined)
    throw new CommandError(
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos (the sat test server is a standalone server)',
    );
  for (const field of Object.keys(command))
    if (field !== name && !GENERIC_FIELDS.has(field) && !allowed.includes(field))
      throw unsupportedOption(name, field);
}

/** An open cursor: the rest of a result, read by `getMore`. */
interface OpenCursor {
  ns: string;
  docs: Document[];
  at: number;
}

/** Most bytes of documents put in one batch. */
const BATCH_BYTES = 8 * 1024 * 1024;

/** The databases and cursors of one server. */
export class ServerState {
  readonly databases = new Map<string, Map<string, MemoryCollection>>();
  private readonly cursors = new Map<number, OpenCursor>();
  private nextCursor = 1;

  /** A database's collections (created empty on first use when `create`). */
  database(name: string, create = true): Map<string, MemoryCollection> | undefined {
    let db = this.databases.get(name);
    if (!db && create) {
      db = new Map();
      this.databases.set(name, db);
    }
    return db;
  }

  /** A collection, created on first write when `create`. */
  collection(db: string, name: string, create = false): MemoryCollection | undefined {
    if (typeof name !== 'string' || name === '')
      throw new CommandError('BadValue', `collection name must be a non-empty string, got ${String(name)}`);
    const collections = this.database(db, create);
    let collection = collections?.get(name);
    if (!collection && create && collections) {
      collection = new MemoryCollection(`${db}.${name}`);
      collections.set(name, collection);
    }
    return collection;
  }

  /** A cursor reply: the first batch, and a cursor id when more remains. */
  cursorReply(ns: string, docs: Document[], batchSize: number | undefined, field = 'firstBatch'): Document {
    const cursor: OpenCursor = { ns, docs, at: 0 };
    const batch = this.take(cursor, batchSize ?? 101);
    let id = 0;
    if (cursor.at < docs.length) {
      id = this.nextCursor++;
      this.cursors.set(id, cursor);
    }
    return { cursor: { id: BSON.Long.fromNumber(id), ns, [field]: batch }, ok: 1 };
  }

  /** The next batch of an open cursor. */
  getMore(id: number, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
    const batch = this.take(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    const done = cursor.at >= cursor.docs.length;
    if (done) this.cursors.delete(id);
    return { cursor: { id: BSON.Long.fromNumber(done ? 0 : id), ns: cursor.ns, nextBatch: batch }, ok: 1 };
  }

  /** Closes cursors; returns those closed and those unknown. */
  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed = ids.filter((id) => this.cursors.delete(id));
    return { killed, notFound: ids.filter((id) => !killed.includes(id)) };
  }

  private take(cursor: OpenCursor, max: number): Document[] {
    const out: Document[] = [];
    let bytes = 0;
    while (cursor.at < cursor.docs.length && out.length < max) {
      const doc = cursor.docs[cursor.at]!;
      bytes += BSON.calculateObjectSize(doc);
      if (out.length > 0 && bytes > BATCH_BYTES) break;
      out.push(doc);
      cursor.at++;
    }
    return out;
  }
}
