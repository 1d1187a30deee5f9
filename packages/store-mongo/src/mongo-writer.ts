/**
 * The write side: projected rows (unordered bulk inserts keyed by session and seq, 11000 meaning
 * already stored), sessions and invocations replaced by id, fingerprints kept at their earliest
 * sample, rollup deltas upserted, and the per-(machine, session) checkpoints with their states.
 */
import type { ProjectionBatch, ProjectionName, SessionProjectionState } from '@sat/core/projections';
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import { insertNew } from './mongo-applied.js';
import {
  COLLECTIONS,
  PROJECTION_COLLECTIONS,
  rollupCollection,
  type SatDocument,
} from './mongo-collections.js';
import {
  decisionDoc,
  errorDoc,
  fileOperationDoc,
  invocationDoc,
  type Owner,
  sessionDoc,
  toolUseDoc,
  validationDoc,
} from './mongo-documents.js';
import { rollupUpsert } from './mongo-rollup-updates.js';

const SEPARATOR = '\u0001';

/** Fact documents keyed by `<session>#<seq>` (a second row of the same event gets `#2`, ...). */
function keyed(docs: Document[]): SatDocument[] {
  const seen = new Map<string, number>();
  for (const doc of docs) {
    const key = `${doc.session}#${doc.seq}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    doc._id = n === 1 ? key : `${key}#${n}`;
  }
  return docs as SatDocument[];
}

function fingerprintOps(batch: ProjectionBatch, owner: Owner): AnyBulkWriteOperation<SatDocument>[] {
  const ops: AnyBulkWriteOperation<SatDocument>[] = [];
  for (const f of batch.fingerprints.values()) {
    const sample = { sample: f.sample, sampleAt: f.sampleAt };
    ops.push({
      updateOne: {
        filter: { _id: f.fingerprint },
        update: {
          $setOnInsert: {
            errorType: f.errorType,
            pattern: f.pattern,
            ...sample,
            ...owner,
            ingestedBy: owner.machine,
          },
        },
        upsert: true,
      },
    });
    ops.push({
      updateOne: {
        filter: {
          _id: f.fingerprint,
          $or: [{ sampleAt: { $gt: f.sampleAt } }, { sampleAt: f.sampleAt, sample: { $gt: f.sample ?? '' } }],
        },
        update: { $set: sample },
      },
    });
  }
  return ops;
}

/** Writes projected batches and session states for one machine. */
export class MongoWriter {
  constructor(
    private readonly db: Db,
    private readonly owner: Owner,
  ) {}

  /** Writes a batch: rows, then rollups (each write idempotent except the rollups' additions). */
  async write(batch: ProjectionBatch): Promise<void> {
    const o = this.owner;
    const replace = (docs: Document[]) =>
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }));
    await this.bulk(COLLECTIONS.sessions, replace([...batch.sessions.values()].map((s) => sessionDoc(s, o))));
    await this.bulk(
      COLLECTIONS.agents,
      replace([...batch.invocations.values()].map((r) => invocationDoc(r, o))),
    );
    await this.insert(
      COLLECTIONS.tools,
      batch.toolUses.map((r) => toolUseDoc(r, o)),
    );
    await this.bulk(COLLECTIONS.fingerprints, fingerprintOps(batch, o), true);
    await this.insert(
      COLLECTIONS.errors,
      batch.errors.map((r) => errorDoc(r, o)),
    );
    await this.insert(
      COLLECTIONS.files,
      batch.fileOperations.map((r) => fileOperationDoc(r, o)),
    );
    await this.insert(
      COLLECTIONS.decisions,
      batch.decisions.map((r) => decisionDoc(r, o)),
    );
    await this.insert(
      COLLECTIONS.validations,
      batch.validations.map((r) => validationDoc(r, o)),
    );
    for (const rollup of batch.rollups.rollups())
      await this.bulk(
        rollupCollection(rollup),
        batch.rollups.groups(rollup).map((entry) => rollupUpsert(rollup, entry, o)),
      );
  }

  /** The states saved with this machine's checkpoints of `sessions`. */
  async loadStates(sessions: readonly string[]): Promise<Map<string, SessionProjectionState>> {
    const out = new Map<string, SessionProjectionState>();
    const docs = await this.db
      .collection<SatDocument>(COLLECTIONS.checkpoints)
      .find({ _id: { $in: sessions.map((s) => this.checkpointId(s)) } })
      .toArray();
    for (const doc of docs) out.set(doc.session, JSON.parse(doc.state) as SessionProjectionState);
    return out;
  }

  /** Saves states with their checkpoints (`lastSeq`). */
  async saveStates(states: readonly SessionProjectionState[]): Promise<void> {
    const ops = states.map((state) => ({
      replaceOne: {
        filter: { _id: this.checkpointId(state.session) },
        replacement: {
          ...this.owner,
          session: state.session,
          lastSeq: state.lastSeq,
          state: JSON.stringify(state),
        },
        upsert: true,
      },
    }));
    await this.bulk(COLLECTIONS.checkpoints, ops);
  }

  /** This machine's checkpoints. */
  async checkpoints(): Promise<Map<string, number>> {
    const docs = await this.db
      .collection<SatDocument>(COLLECTIONS.checkpoints)
      .find({ machine: this.owner.machine }, { projection: { session: 1, lastSeq: 1 } })
      .toArray();
    return new Map(docs.map((d) => [d.session as string, d.lastSeq as number]));
  }

  /**
   * Deletes the documents of the given projections this machine wrote (`ingestedBy`; documents
   * written before owners were kept have none and carry the writer's `machine`).
   */
  async clear(projections: readonly ProjectionName[]): Promise<void> {
    const machine = this.owner.machine;
    const written = { $or: [{ ingestedBy: machine }, { ingestedBy: { $exists: false }, machine }] };
    for (const name of projections)
      for (const collection of PROJECTION_COLLECTIONS[name])
        await this.db.collection<SatDocument>(collection).deleteMany(written);
  }

  /** Deletes this machine's applied ids and checkpoints. */
  async clearApplied(): Promise<void> {
    await this.db.collection<SatDocument>(COLLECTIONS.events).deleteMany({ machine: this.owner.machine });
    await this.db
      .collection<SatDocument>(COLLECTIONS.checkpoints)
      .deleteMany({ machine: this.owner.machine });
  }

  private checkpointId(session: string): string {
    return `${this.owner.machine}${SEPARATOR}${session}`;
  }

  private async insert(collection: string, docs: Document[]): Promise<void> {
    await insertNew(this.db.collection<SatDocument>(collection), keyed(docs));
  }

  private async bulk(
    collection: string,
    ops: AnyBulkWriteOperation<SatDocument>[],
    ordered = false,
  ): Promise<void> {
    if (ops.length > 0) await this.db.collection<SatDocument>(collection).bulkWrite(ops, { ordered });
  }
}
