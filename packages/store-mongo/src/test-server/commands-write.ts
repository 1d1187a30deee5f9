/**
 * The write commands: insert (ordered or not, with `writeErrors` as MongoDB reports them),
 * update (operators, replacement, upsert with `$setOnInsert`) and delete.
 */
import { BSON, type Document } from 'bson';
import { update as applyOperators } from 'mingo';
import { DuplicateKeyError, isOperatorDoc, type MemoryCollection } from './memory-collection.js';
import { CommandError } from './mongo-errors.js';
import { checkFields, type ServerState } from './server-state.js';

/** Faults the insert command can be told to raise. */
export interface WriteFaults {
  /** Answer the next N inserted documents with a duplicate key error (11000), storing nothing. */
  duplicateInserts: number;
}

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$min',
  '$max',
  '$addToSet',
  '$push',
  '$setOnInsert',
]);

function writeError(index: number, error: unknown): Document {
  if (error instanceof DuplicateKeyError)
    return {
      index,
      code: 11000,
      errmsg: error.message,
      keyPattern: error.keyPattern,
      keyValue: error.keyValue,
    };
  if (error instanceof CommandError) {
    const { ok: _ok, ...rest } = error.toReply();
    return { index, ...rest };
  }
  throw error;
}

/** Runs writes one by one, collecting MongoDB's `writeErrors` (stopping at the first when ordered). */
function eachWrite<T>(items: T[], ordered: boolean, run: (item: T, index: number) => void): Document[] {
  const errors: Document[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i]!, i);
    } catch (error) {
      errors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return errors;
}

function reply(n: number, errors: Document[], extra: Document = {}): Document {
  return { n, ...extra, ...(errors.length > 0 ? { writeErrors: errors } : {}), ok: 1 };
}

/** `insert`: documents without `_id` get an ObjectId, as the server (not only the driver) does. */
export function insertCommand(
  state: ServerState,
  db: string,
  command: Document,
  faults: WriteFaults,
): Document {
  checkFields(command, 'insert', ['documents', 'ordered', 'bypassDocumentValidation']);
  const collection = state.collection(db, command.insert, true)!;
  const docs = (command.documents ?? []) as Document[];
  let n = 0;
  const errors = eachWrite(docs, command.ordered !== false, (doc) => {
    const stored = doc._id === undefined ? { _id: new BSON.ObjectId(), ...doc } : doc;
    if (faults.duplicateInserts > 0) {
      faults.duplicateInserts--;
      throw new DuplicateKeyError(
        `E11000 duplicate key error collection: ${collection.ns} index: _id_ dup key: { _id: ${JSON.stringify(stored._id)} } (injected)`,
        { _id: 1 },
        { _id: stored._id },
      );
    }
    collection.insert(stored);
    n++;
  });
  return reply(n, errors);
}

/** A deep copy that keeps BSON types (ObjectId, Binary, Long). */
function copy(doc: Document): Document {
  return BSON.deserialize(BSON.serialize(doc), { promoteValues: true, promoteBuffers: false });
}

/** The new version of `doc` after update `u` (`inserting`: an upsert's new document). */
export function updated(doc: Document, u: unknown, inserting: boolean): Document {
  if (Array.isArray(u))
    throw new CommandError('BadValue', 'the sat MongoDB test server does not support pipeline updates');
  const modifier = u as Document;
  const keys = Object.keys(modifier);
  if (!keys.some((k) => k.startsWith('$'))) return { _id: doc._id, ...modifier };
  for (const key of keys)
    if (!UPDATE_OPERATORS.has(key))
      throw new CommandError(
        'BadValue',
        `the sat MongoDB test server does not support the update operator ${key}`,
      );
  const next = copy(doc);
  const { $setOnInsert, ...rest } = modifier;
  if (Object.keys(rest).length > 0) applyOperators(next, rest);
  if (inserting && $setOnInsert) applyOperators(next, { $set: $setOnInsert });
  return next;
}

/** The document an upsert starts from: the filter's equality fields. */
function seed(filter: Document): Document {
  const doc: Document = {};
  for (const [key, value] of Object.entries(filter))
    if (!key.startsWith('$') && !key.includes('.') && !isOperatorDoc(value)) doc[key] = value;
    else if (isOperatorDoc(value) && (value as Document).$eq !== undefined)
      doc[key] = (value as Document).$eq;
  if (doc._id === undefined) doc._id = new BSON.ObjectId();
  return doc;
}

interface UpdateStatement {
  q: Document;
  u: unknown;
  upsert?: boolean;
  multi?: boolean;
}

function runUpdate(collection: MemoryCollection, s: UpdateStatement, totals: Document, index: number): void {
  for (const field of Object.keys(s))
    if (!['q', 'u', 'upsert', 'multi'].includes(field))
      throw new CommandError(
        'BadValue',
        `the sat MongoDB test server does not support '${field}' in an update`,
      );
  const matches = collection.match(s.q);
  if (matches.length === 0) {
    if (!s.upsert) return;
    const doc = updated(seed(s.q), s.u, true);
    collection.insert(doc);
    totals.n++;
    totals.upserted.push({ index, _id: doc._id });
    return;
  }
  for (const before of s.multi ? matches : matches.slice(0, 1)) {
    const after = updated(before, s.u, false);
    totals.n++;
    if (Buffer.from(BSON.serialize(after)).equals(BSON.serialize(before))) continue;
    collection.replace(before, after);
    totals.nModified++;
  }
}

/** `update`: each statement's matches (or its upsert). */
export function updateCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'update', ['updates', 'ordered', 'bypassDocumentValidation']);
  const collection = state.collection(db, command.update, true)!;
  const totals = { n: 0, nModified: 0, upserted: [] as Document[] };
  const errors = eachWrite(command.updates as UpdateStatement[], command.ordered !== false, (s, i) =>
    runUpdate(collection, s, totals, i),
  );
  return reply(totals.n, errors, {
    nModified: totals.nModified,
    ...(totals.upserted.length > 0 ? { upserted: totals.upserted } : {}),
  });
}

/** `delete`: each statement's matches (`limit: 1` deletes the first only). */
export function deleteCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'delete', ['deletes', 'ordered']);
  const collection = state.collection(db, command.delete);
  let n = 0;
  const statements = command.deletes as { q: Document; limit: number }[];
  const errors = eachWrite(statements, command.ordered !== false, (s) => {
    if (!collection) return;
    const matches = collection.match(s.q);
    for (const doc of s.limit === 1 ? matches.slice(0, 1) : matches) {
      collection.remove(doc);
      n++;
    }
  });
  return reply(n, errors);
}
