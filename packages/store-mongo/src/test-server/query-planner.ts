/**
 * A deliberately small query planner, for `explain` only (the test server always scans its
 * memory): a pipeline's leading `$match` can use an index when the index's first key is one of
 * the match's fields (equality, range or `$in`); the index with the longest such key prefix wins.
 * Without one, a `$sort` right after the match (or first) uses an index that starts with its
 * first key. Otherwise the plan is a COLLSCAN. The answer has MongoDB's shape
 * (`queryPlanner.winningPlan.stage`, `inputStage.indexName`), so a test reads real and test
 * server plans alike.
 */
import type { Document } from 'bson';
import type { IndexSpec } from './memory-collection.js';
import type { ServerState } from './server-state.js';

/** How many leading keys of `index` the match's fields cover. */
function prefixCovered(index: IndexSpec, fields: Set<string>): number {
  let n = 0;
  for (const key of Object.keys(index.key)) {
    if (!fields.has(key)) break;
    n++;
  }
  return n;
}

/** The fields of a match an index can serve (top level and inside a top-level `$and`). */
function matchFields(match: Document): Set<string> {
  const fields = new Set<string>();
  for (const [key, value] of Object.entries(match)) {
    if (key === '$and' && Array.isArray(value))
      for (const part of value) for (const f of matchFields(part)) fields.add(f);
    else if (!key.startsWith('$')) fields.add(key);
  }
  return fields;
}

/** The index a match would use, or undefined (a collection scan). */
export function chooseIndex(indexes: readonly IndexSpec[], match: Document): IndexSpec | undefined {
  const fields = matchFields(match);
  let best: IndexSpec | undefined;
  let bestCovered = 0;
  for (const index of indexes) {
    const covered = prefixCovered(index, fields);
    if (covered > bestCovered) {
      best = index;
      bestCovered = covered;
    }
  }
  return best;
}

/** The index that gives a sort's order (its first key leads the index), or undefined. */
function sortIndex(indexes: readonly IndexSpec[], sort: Document | undefined): IndexSpec | undefined {
  const first = sort ? Object.keys(sort)[0] : undefined;
  return first === undefined ? undefined : indexes.find((index) => Object.keys(index.key)[0] === first);
}

/** MongoDB's explain document for an aggregate command. */
export function explainPlan(state: ServerState, db: string, command: Document): Document {
  const name = command.aggregate as string;
  const collection = state.collection(db, name);
  const pipeline = (command.pipeline ?? []) as Document[];
  const first = pipeline[0];
  const match = first && Object.keys(first)[0] === '$match' ? (first.$match as Document) : {};
  const sort = pipeline.find((stage, i) => i <= 1 && stage.$sort !== undefined)?.$sort as
    | Document
    | undefined;
  const index = collection
    ? (chooseIndex(collection.indexes, match) ?? sortIndex(collection.indexes, sort))
    : undefined;
  const winningPlan = index
    ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: index.name, keyPattern: index.key } }
    : { stage: 'COLLSCAN' };
  return {
    queryPlanner: { namespace: `${db}.${name}`, parsedQuery: match, winningPlan, rejectedPlans: [] },
    explainVersion: '1',
    ok: 1,
  };
}
