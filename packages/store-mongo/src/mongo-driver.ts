/**
 * The MongoDB `AnalyticsDriver`: claims event ids, writes rows and rollups, keeps one checkpoint
 * per (machine, session), and reads through {@link MongoReader}. Core's `createAnalyticsStore`
 * does the rest. MongoDB transactions need a replica set, so `transaction` is not atomic: a failed
 * batch gives back the event ids it claimed (a retry applies them again); see docs/store-mongo.md.
 */
import type {
  AnalyticsDriver,
  AnalyticsDriverCapabilities,
  AnalyticsDriverCounts,
  AnySatEvent,
} from '@sat/core';
import {
  HISTOGRAM_RELATIVE_ERROR,
  type ProjectionBatch,
  type ProjectionName,
  type SessionProjectionState,
} from '@sat/core/projections';
import type { Db, MongoClient } from 'mongodb';
import { claimEvents } from './mongo-applied.js';
import { COLLECTIONS, type SatDocument } from './mongo-collections.js';
import type { Owner } from './mongo-documents.js';
import { type MongoErrorContext, toMongoSatError } from './mongo-errors.js';
import { MongoReader } from './mongo-reader.js';
import { MongoWriter } from './mongo-writer.js';

/** The layout version of the documents, `status().schemaVersion`. */
export const MONGO_SCHEMA_VERSION = 1;

const SEPARATOR = '\u0001';

/** The driver of one database, for one machine. */
export class MongoDriver implements AnalyticsDriver {
  readonly name = 'mongo';
  readonly packageName = 'store-mongo';
  readonly location: string;
  readonly capabilities: AnalyticsDriverCapabilities = Object.freeze({
    persistent: true,
    multiProcess: true,
    atomicRebuild: false,
    percentileRelativeError: HISTOGRAM_RELATIVE_ERROR,
  });
  readonly reader: MongoReader;
  private readonly writer: MongoWriter;
  private claimed: string[] | undefined;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly owner: Owner,
    private readonly errorContext: MongoErrorContext,
    private readonly ownsClient: boolean,
  ) {
    this.location = errorContext.location;
    this.reader = new MongoReader(db);
    this.writer = new MongoWriter(db, owner);
  }

  /** Runs `fn`; on failure deletes the event ids it claimed, so that a retry applies them. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.claimed) return fn();
    this.claimed = [];
    try {
      return await fn();
    } catch (error) {
      const ids = this.claimed;
      if (ids.length > 0)
        await this.db
          .collection<SatDocument>(COLLECTIONS.events)
          .deleteMany({ _id: { $in: ids } })
          .catch(() => undefined);
      throw error;
    } finally {
      this.claimed = undefined;
    }
  }

  async markApplied(events: readonly AnySatEvent[]): Promise<AnySatEvent[]> {
    const { fresh, ids } = await claimEvents(
      this.db.collection<SatDocument>(COLLECTIONS.events),
      events,
      this.owner,
    );
    this.claimed?.push(...ids);
    return fresh;
  }

  loadStates(sessions: readonly string[]): Promise<Map<string, SessionProjectionState>> {
    return this.writer.loadStates(sessions);
  }

  writeRows(batch: ProjectionBatch): Promise<void> {
    return this.writer.write(batch);
  }

  saveStates(states: readonly SessionProjectionState[]): Promise<void> {
    return this.writer.saveStates(states);
  }

  clearProjections(projections: readonly ProjectionName[]): Promise<void> {
    return this.writer.clear(projections);
  }

  clearApplied(): Promise<void> {
    return this.writer.clearApplied();
  }

  checkpoints(): Promise<Map<string, number>> {
    return this.writer.checkpoints();
  }

  async readMeta<T>(key: string): Promise<T | undefined> {
    const doc = await this.db.collection<SatDocument>(COLLECTIONS.meta).findOne({ _id: this.metaId(key) });
    return doc ? (JSON.parse(doc.value) as T) : undefined;
  }

  async writeMeta(key: string, value: unknown): Promise<void> {
    await this.db
      .collection<SatDocument>(COLLECTIONS.meta)
      .replaceOne(
        { _id: this.metaId(key) },
        { ...this.owner, key, value: JSON.stringify(value) },
        { upsert: true },
      );
  }

  async counts(): Promise<AnalyticsDriverCounts> {
    const machine = { machine: this.owner.machine };
    return {
      schemaVersion: MONGO_SCHEMA_VERSION,
      sessions: await this.db.collection<SatDocument>(COLLECTIONS.checkpoints).countDocuments(machine),
      events: await this.db.collection<SatDocument>(COLLECTIONS.events).countDocuments(machine),
    };
  }

  mapError(error: unknown, action: string): Error {
    return toMongoSatError(error, { ...this.errorContext, action });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private metaId(key: string): string {
    return `${this.owner.machine}${SEPARATOR}${key}`;
  }
}
