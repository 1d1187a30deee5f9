/**
 * The `events` collection: one document per applied event, `_id` its id. Claiming a batch is an
 * unordered bulk insert; the duplicate-key errors (11000) are the events stored before, by this
 * machine or another one, so two machines ingesting the same session each apply an event once.
 */
import type { AnySatEvent } from '@sat/core';
import { type Collection, MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { SatDocument } from './mongo-collections.js';
import type { Owner } from './mongo-documents.js';

const DUPLICATE_KEY = 11000;

interface WriteErrorShape {
  index: number;
  code: number;
}

function writeErrorsOf(error: unknown): WriteErrorShape[] | undefined {
  if (error instanceof MongoBulkWriteError) {
    const list = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return list.map((w) => ({ index: w.index, code: w.code }));
  }
  if (error instanceof MongoServerError && error.code === DUPLICATE_KEY)
    return [{ index: 0, code: DUPLICATE_KEY }];
  return undefined;
}

/**
 * Inserts `docs` unordered; returns the indexes that were already stored (11000). Any other
 * write error is thrown.
 *
 * @example
 * const duplicates = await insertNew(collection, docs); // Set { 3, 7 }
 */
export async function insertNew(
  collection: Collection<SatDocument>,
  docs: SatDocument[],
): Promise<Set<number>> {
  const duplicates = new Set<number>();
  if (docs.length === 0) return duplicates;
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (error) {
    const writeErrors = writeErrorsOf(error);
    const failedWhole =
      writeErrors?.length === 0 || (error as { writeConcernError?: unknown }).writeConcernError;
    if (!writeErrors || failedWhole || writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw error;
    if (docs.length === 1 && !(error instanceof MongoBulkWriteError)) duplicates.add(0);
    else for (const w of writeErrors) duplicates.add(w.index);
  }
  return duplicates;
}

/** Claims events by id; returns, in order, those never applied before, and their ids. */
export async function claimEvents(
  collection: Collection<SatDocument>,
  events: readonly AnySatEvent[],
  owner: Owner,
): Promise<{ fresh: AnySatEvent[]; ids: string[] }> {
  const docs = events.map((e) => ({
    _id: e.id,
    machine: owner.machine,
    user: owner.user,
    session: e.session,
    seq: e.seq,
    type: e.type,
    at: new Date(e.ts),
  }));
  const duplicates = await insertNew(collection, docs);
  const fresh: AnySatEvent[] = [];
  const ids: string[] = [];
  events.forEach((event, i) => {
    if (duplicates.has(i)) return;
    fresh.push(event);
    ids.push(event.id);
  });
  return { fresh, ids };
}
