/**
 * The read commands: find (filter, sort, projection, skip, limit), aggregate (mingo's pipeline
 * stages; `$out` and `$merge` refused), count, distinct, getMore, killCursors, and `explain` of a
 * find or aggregate through {@link explainPlan}.
 */
import type { Document } from 'bson';
import { aggregate, find } from 'mingo';
import type { MemoryCollection } from './memory-collection.js';
import { CommandError } from './mongo-errors.js';
import { explainPlan } from './query-planner.js';
import { checkFields, type ServerState } from './server-state.js';

function docsOf(collection: MemoryCollection | undefined, filter?: Document): Document[] {
  return collection ? collection.match(filter ?? {}) : [];
}

/** Runs mingo, answering its failures (an unknown operator) as MongoDB's BadValue. */
function mingo<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError('BadValue', `${what}: ${(error as Error).message}`);
  }
}

function findDocs(state: ServerState, db: string, command: Document): Document[] {
  const collection = state.collection(db, command.find);
  const matched = docsOf(collection, command.filter);
  return mingo('find', () => {
    let cursor = find(matched, {}, command.projection);
    if (command.sort && Object.keys(command.sort).length > 0) cursor = cursor.sort(command.sort);
    if (command.skip) cursor = cursor.skip(command.skip);
    if (command.limit) cursor = cursor.limit(Math.abs(command.limit));
    return cursor.all() as Document[];
  });
}

const FIND_FIELDS = [
  'filter',
  'sort',
  'projection',
  'skip',
  'limit',
  'batchSize',
  'singleBatch',
  'noCursorTimeout',
];

/** `find`. */
export function findCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'find', FIND_FIELDS);
  const docs = findDocs(state, db, command);
  const batchSize = command.singleBatch ? docs.length : command.batchSize;
  return state.cursorReply(`${db}.${command.find}`, docs, batchSize);
}

function checkPipeline(pipeline: Document[]): void {
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] ?? '';
    if (name === '$out' || name === '$merge')
      throw new CommandError('BadValue', `the sat MongoDB test server does not support ${name}`);
  }
}

function aggregateDocs(state: ServerState, db: string, command: Document): Document[] {
  const pipeline = (command.pipeline ?? []) as Document[];
  checkPipeline(pipeline);
  const collection = state.collection(db, command.aggregate);
  const [first, ...rest] = pipeline;
  const leadingMatch = first && Object.keys(first)[0] === '$match' ? (first.$match as Document) : undefined;
  const docs = leadingMatch ? docsOf(collection, leadingMatch) : docsOf(collection);
  const stages = leadingMatch ? rest : pipeline;
  return mingo('aggregate', () => (stages.length === 0 ? docs : (aggregate(docs, stages) as Document[])));
}

/** `aggregate` (with `explain: true`: the plan). */
export function aggregateCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'aggregate', ['pipeline', 'cursor', 'allowDiskUse', 'explain', 'let']);
  if (command.let !== undefined)
    throw new CommandError('BadValue', 'the sat MongoDB test server does not support let');
  if (command.explain) return explainPlan(state, db, command);
  const docs = aggregateDocs(state, db, command);
  return state.cursorReply(`${db}.${command.aggregate}`, docs, command.cursor?.batchSize);
}

/** `count`. */
export function countCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'count', ['query', 'limit', 'skip']);
  let n = docsOf(state.collection(db, command.count), command.query).length;
  if (command.skip) n = Math.max(0, n - command.skip);
  if (command.limit) n = Math.min(n, Math.abs(command.limit));
  return { n, ok: 1 };
}

/** `distinct`. */
export function distinctCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'distinct', ['key', 'query']);
  const docs = docsOf(state.collection(db, command.distinct), command.query);
  const values = mingo('distinct', () =>
    aggregate(docs, [{ $group: { _id: `$${command.key}` } }]).map((d) => d._id),
  ).filter((v) => v !== undefined && v !== null);
  return { values, ok: 1 };
}

/** `getMore`. */
export function getMoreCommand(state: ServerState, _db: string, command: Document): Document {
  checkFields(command, 'getMore', ['collection', 'batchSize', 'maxTimeMS']);
  return state.getMore(Number(command.getMore), command.batchSize);
}

/** `killCursors`. */
export function killCursorsCommand(state: ServerState, _db: string, command: Document): Document {
  checkFields(command, 'killCursors', ['cursors']);
  const { killed, notFound } = state.kill((command.cursors as unknown[]).map(Number));
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

/** `explain` of a `find` or an `aggregate`. */
export function explainCommand(state: ServerState, db: string, command: Document): Document {
  checkFields(command, 'explain', ['verbosity']);
  const inner = command.explain as Document;
  if (inner.find !== undefined)
    return explainPlan(state, db, {
      aggregate: inner.find,
      pipeline: [{ $match: inner.filter ?? {} }, ...(inner.sort ? [{ $sort: inner.sort }] : [])],
    });
  if (inner.aggregate !== undefined) return explainPlan(state, db, inner);
  throw new CommandError(
    'BadValue',
    `the sat MongoDB test server explains find and aggregate only, not ${Object.keys(inner)[0]}`,
  );
}
