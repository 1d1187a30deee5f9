/**
 * The handshake and administrative commands: hello / isMaster, ping, buildInfo, endSessions,
 * create, drop, dropDatabase, listCollections, listDatabases, createIndexes, listIndexes,
 * dropIndexes.
 */
import type { Document } from 'bson';
import { CommandError } from './mongo-errors.js';
import { checkFields, type ServerState } from './server-state.js';

/** The wire versions this server speaks: MongoDB 7.0's (the driver 7 needs 8 at least). */
export const MAX_WIRE_VERSION = 21;

/** `hello` / `isMaster`: a writable standalone server, without compression or streaming. */
export function helloReply(connectionId: number): Document {
  return {
    helloOk: true,
    isWritablePrimary: true,
    ismaster: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

/** `buildInfo`: names itself, so nobody mistakes it for a real server. */
export function buildInfoReply(): Document {
  return {
    version: '7.0.0',
    gitVersion: 'sat-mongo-test-server',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    maxBsonObjectSize: 16 * 1024 * 1024,
    ok: 1,
  };
}

/** `create`. */
export function createCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'create', []);
  if (state.collection(db, command.create))
    throw new CommandError('NamespaceExists', `Collection ${db}.${command.create} already exists.`);
  state.collection(db, command.create, true);
  return { ok: 1 };
}

/** `drop`: a missing collection is NamespaceNotFound, which the driver's `drop()` reports. */
export function dropCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'drop', []);
  const collections = state.database(db, false);
  if (!collections?.delete(command.drop)) throw new CommandError('NamespaceNotFound', 'ns not found');
  return { ok: 1 };
}

/** `dropDatabase`. */
export function dropDatabaseCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'dropDatabase', []);
  state.databases.delete(db);
  return { ok: 1 };
}

/** `listCollections` (a `{ name }` filter, or none). */
export function listCollectionsCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'listCollections', ['filter', 'nameOnly', 'authorizedCollections', 'cursor']);
  const filter = (command.filter ?? {}) as Document;
  for (const key of Object.keys(filter))
    if (key !== 'name')
      throw new CommandError(
        'BadValue',
        `the sat MongoDB test server filters listCollections by name only, not ${key}`,
      );
  const names = [...(state.database(db, false)?.keys() ?? [])].filter(
    (name) => filter.name === undefined || filter.name === name,
  );
  const docs = names.map((name) => ({ name, type: 'collection', options: {}, info: { readOnly: false } }));
  return state.cursorReply(`${db}.$cmd.listCollections`, docs, command.cursor?.batchSize);
}

/** `listDatabases`. */
export function listDatabasesCommand(state: ServerState, _db: string, command: Document): Document {
  checkFields(command, 'listDatabases', ['nameOnly', 'filter', 'authorizedDatabases']);
  const databases = [...state.databases.keys()].map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  return { databases, totalSize: 0, ok: 1 };
}

/** `createIndexes`: unique and TTL (`expireAfterSeconds`) options; the rest refused. */
export function createIndexesCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'createIndexes', ['indexes', 'commitQuorum']);
  const collection = state.collection(db, command.createIndexes, true)!;
  const before = collection.indexes.length;
  for (const index of command.indexes as Document[]) {
    for (const field of Object.keys(index))
      if (!['key', 'name', 'unique', 'expireAfterSeconds', 'background'].includes(field))
        throw new CommandError(
          'BadValue',
          `the sat MongoDB test server does not support the index option '${field}'`,
        );
    for (const direction of Object.values(index.key as Document))
      if (direction !== 1 && direction !== -1)
        throw new CommandError(
          'BadValue',
          `the sat MongoDB test server supports ascending and descending keys only, not ${JSON.stringify(direction)}`,
        );
    collection.addIndex({
      name: index.name,
      key: index.key,
      ...(index.unique ? { unique: true } : {}),
      ...(index.expireAfterSeconds !== undefined ? { expireAfterSeconds: index.expireAfterSeconds } : {}),
    });
  }
  return {
    numIndexesBefore: before,
    numIndexesAfter: collection.indexes.length,
    createdCollectionAutomatically: before === 1,
    ok: 1,
  };
}

/** `listIndexes`. */
export function listIndexesCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'listIndexes', ['cursor']);
  const collection = state.collection(db, command.listIndexes);
  if (!collection)
    throw new CommandError('NamespaceNotFound', `ns does not exist: ${db}.${command.listIndexes}`);
  const docs = collection.indexes.map((index) => ({ v: 2, ...index }));
  return state.cursorReply(`${db}.${command.listIndexes}`, docs, command.cursor?.batchSize);
}

/** `dropIndexes` (by name, or `*`). */
export function dropIndexesCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'dropIndexes', ['index']);
  const collection = state.collection(db, command.dropIndexes);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${db}.${command.dropIndexes}`);
  const names =
    command.index === '*'
      ? collection.indexes.map((i) => i.name).filter((n) => n !== '_id_')
      : [command.index];
  for (const name of names)
    if (!collection.dropIndex(name))
      throw new CommandError('IndexNotFound', `index not found with name [${name}]`);
  return { nIndexesWas: collection.indexes.length + names.length, ok: 1 };
}

/** `endSessions`: nothing to end. */
export function endSessionsCommand(): Document {
  return { ok: 1 };
}
