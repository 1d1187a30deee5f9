/**
 * One collection of the test server: documents in insertion order keyed by `_id`, its indexes
 * (unique ones enforced, TTL ones recorded), and the matching done by mingo.
 */
import { BSON, type Document, EJSON } from 'bson';
import { Query } from 'mingo';
import { CommandError, duplicateKeyMessage } from './mongo-errors.js';

/** An index as `createIndexes` describes it. */
export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  expireAfterSeconds?: number;
}

/** A write that failed on a unique index. */
export class DuplicateKeyError extends CommandError {
  constructor(
    message: string,
    readonly keyPattern: Document,
    readonly keyValue: Document,
  ) {
    super('DuplicateKey', message);
  }
}

/** A stable text key of any BSON value (used for `_id` and unique index keys). */
export function valueKey(value: unknown): string {
  if (value instanceof BSON.ObjectId) return `o${value.toHexString()}`;
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return `n${value}`;
  return `j${EJSON.stringify(value as Document, { relaxed: false })}`;
}

function pick(doc: Document, path: string): unknown {
  let at: unknown = doc;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Document)[part];
  }
  return at;
}

/** Largest document MongoDB stores (16 MiB). */
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

/** A collection's documents and indexes. */
export class MemoryCollection {
  readonly docs = new Map<string, Document>();
  readonly indexes: IndexSpec[] = [{ name: '_id_', key: { _id: 1 } }];
  private readonly unique = new Map<string, Map<string, string>>();

  constructor(readonly ns: string) {}

  /** Every document, in insertion order. */
  all(): Document[] {
    return [...this.docs.values()];
  }

  /** The documents matching a filter (an `_id` equality is looked up, not scanned). */
  match(filter: Document = {}): Document[] {
    const keys = Object.keys(filter);
    if (keys.length === 1 && keys[0] === '_id' && !isOperatorDoc(filter._id)) {
      const doc = this.docs.get(valueKey(filter._id));
      return doc ? [doc] : [];
    }
    if (keys.length === 0) return this.all();
    const query = new Query(filter);
    return this.all().filter((doc) => query.test(doc));
  }

  /** Adds an index (the same name twice is a no-op, as in MongoDB); a unique one checks the data. */
  addIndex(spec: IndexSpec): void {
    if (this.indexes.some((i) => i.name === spec.name)) return;
    if (spec.unique) {
      const seen = new Map<string, string>();
      for (const [id, doc] of this.docs) {
        const key = this.uniqueKey(spec, doc);
        if (seen.has(key)) throw this.duplicate(spec, doc);
        seen.set(key, id);
      }
      this.unique.set(spec.name, seen);
    }
    this.indexes.push(spec);
  }

  /** Drops an index by name. */
  dropIndex(name: string): boolean {
    const at = this.indexes.findIndex((i) => i.name === name && name !== '_id_');
    if (at < 0) return false;
    this.indexes.splice(at, 1);
    this.unique.delete(name);
    return true;
  }

  /** Inserts a document (it must have an `_id`), enforcing the unique indexes. */
  insert(doc: Document): void {
    if (BSON.calculateObjectSize(doc) > MAX_BSON_SIZE)
      throw new CommandError(
        'BSONObjectTooLarge',
        `object to insert too large. size in bytes: ${BSON.calculateObjectSize(doc)}, max size: ${MAX_BSON_SIZE}`,
      );
    const id = valueKey(doc._id);
    if (this.docs.has(id)) throw this.duplicate(this.indexes[0]!, doc);
    this.checkUnique(doc, id);
    this.docs.set(id, doc);
    this.indexUnique(doc, id);
  }

  /** Replaces a stored document by the new version of it (same `_id`). */
  replace(before: Document, after: Document): void {
    const id = valueKey(before._id);
    if (valueKey(after._id) !== id)
      throw new CommandError(
        'BadValue',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    this.unindexUnique(before);
    try {
      this.checkUnique(after, id);
    } catch (error) {
      this.indexUnique(before, id);
      throw error;
    }
    this.docs.set(id, after);
    this.indexUnique(after, id);
  }

  /** Deletes a document. */
  remove(doc: Document): void {
    this.unindexUnique(doc);
    this.docs.delete(valueKey(doc._id));
  }

  private uniqueKey(spec: IndexSpec, doc: Document): string {
    return Object.keys(spec.key)
      .map((path) => valueKey(pick(doc, path) ?? null))
      .join('\u0001');
  }

  private duplicate(spec: IndexSpec, doc: Document): DuplicateKeyError {
    const keyValue: Document = {};
    for (const path of Object.keys(spec.key)) keyValue[path] = pick(doc, path) ?? null;
    return new DuplicateKeyError(duplicateKeyMessage(this.ns, spec.name, keyValue), spec.key, keyValue);
  }

  private checkUnique(doc: Document, id: string): void {
    for (const spec of this.indexes) {
      const seen = this.unique.get(spec.name);
      const owner = seen?.get(this.uniqueKey(spec, doc));
      if (owner !== undefined && owner !== id) throw this.duplicate(spec, doc);
    }
  }

  private indexUnique(doc: Document, id: string): void {
    for (const spec of this.indexes) this.unique.get(spec.name)?.set(this.uniqueKey(spec, doc), id);
  }

  private unindexUnique(doc: Document): void {
    for (const spec of this.indexes) this.unique.get(spec.name)?.delete(this.uniqueKey(spec, doc));
  }
}

/** True for `{ $op: ... }` (a query operator document rather than a value). */
export function isOperatorDoc(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof BSON.ObjectId || value instanceof Date || value instanceof BSON.Binary) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}
