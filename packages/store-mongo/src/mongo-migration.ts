/**
 * What `sat migrate` needs from a MongoDB database besides the store itself: what the database
 * held before (read only, so a dry run writes nothing), a marker saying a migration is copying
 * into it (so an interrupted run is resumed, not mistaken for someone else's data), and the
 * rollback, which drops only this store's collections of a database that held none of our data.
 */
import { MongoClient } from 'mongodb';
import { COLLECTIONS, indexPlan, type SatDocument } from './mongo-collections.js';
import { type MongoErrorContext, toMongoSatError } from './mongo-errors.js';
import { DEFAULT_SERVER_SELECTION_TIMEOUT_MS } from './mongo-store-config.js';
import { mongoLocation, mongoUrlUser } from './mongo-url.js';

/** `_id` of the marker document in the `meta` collection. */
export const MIGRATION_MARKER_ID = 'migration';

/** The marker a migration writes before it copies anything. */
export interface MigrationMarker {
  /** `copying` until the copy is verified, then `done`. */
  state: 'copying' | 'done';
  /** The machine that migrates (only it may resume). */
  machine: string;
  user: string;
  /** ISO time the first run started. */
  startedAt: string;
  /** ISO time the copy was verified (state `done`). */
  finishedAt?: string;
}

/** What a database holds of this store, from {@link MongoMigrationTarget.inspect}. */
export interface MongoDatabaseInspection {
  /** The redacted location (`mongodb://ana@host/sat`). */
  location: string;
  /** Documents in each of this store's collections that exist (the marker not counted). */
  collections: Record<string, number>;
  /** Their sum. */
  documents: number;
  /** Machines that wrote documents (from the sessions and checkpoints). */
  machines: string[];
  /** Collections of the database that are not this store's (never touched). */
  foreign: string[];
  /** The migration marker, if a migration ever wrote one. */
  marker: MigrationMarker | undefined;
}

/** Options of {@link openMongoMigrationTarget}. */
export interface MongoMigrationTargetOptions {
  url: string;
  database: string;
  /** Default 10000 ms (a `serverSelectionTimeoutMS` in the URL wins). */
  serverSelectionTimeoutMS?: number;
}

/** Every collection name of this store. */
export function storeCollections(): string[] {
  return Object.keys(indexPlan(undefined)).sort();
}

/** A connection to the database a migration writes to. */
export class MongoMigrationTarget {
  private constructor(
    private readonly client: MongoClient,
    private readonly options: MongoMigrationTargetOptions,
    private readonly context: MongoErrorContext,
  ) {}

  /** Connects; an unreachable server fails with `TARGET_UNAVAILABLE`, bad credentials with `TARGET_ERROR`. */
  static async open(options: MongoMigrationTargetOptions): Promise<MongoMigrationTarget> {
    const context: MongoErrorContext = {
      action: 'inspect',
      location: mongoLocation(options.url, options.database),
      url: options.url,
      database: options.database,
      user: mongoUrlUser(options.url),
      authSource: mongoUrlUser(options.url) ? 'admin' : undefined,
    };
    const timeout = /[?&]serverSelectionTimeoutMS=/i.test(options.url)
      ? {}
      : { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS };
    const client = new MongoClient(options.url, { ...timeout, appName: 'sat-migrate' });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw toMongoSatError(error, context);
    }
    return new MongoMigrationTarget(client, options, context);
  }

  /** The redacted location. */
  get location(): string {
    return this.context.location;
  }

  /** What the database holds (reads only). */
  inspect(): Promise<MongoDatabaseInspection> {
    return this.run('inspect', async () => {
      const db = this.client.db(this.options.database);
      const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      const ours = new Set(storeCollections());
      const collections: Record<string, number> = {};
      for (const name of existing.filter((n) => ours.has(n)).sort())
        collections[name] = await db
          .collection<SatDocument>(name)
          .countDocuments(name === COLLECTIONS.meta ? { _id: { $ne: MIGRATION_MARKER_ID } } : {});
      const machines = new Set<string>();
      for (const name of [COLLECTIONS.checkpoints, COLLECTIONS.sessions, COLLECTIONS.events])
        if (collections[name])
          for (const m of await db.collection<SatDocument>(name).distinct('machine')) machines.add(String(m));
      const marker = await db.collection<SatDocument>(COLLECTIONS.meta).findOne({ _id: MIGRATION_MARKER_ID });
      return {
        location: this.location,
        collections,
        documents: Object.values(collections).reduce((a, b) => a + b, 0),
        machines: [...machines].sort(),
        foreign: existing.filter((n) => !ours.has(n)).sort(),
        marker: marker ? (JSON.parse(marker.value) as MigrationMarker) : undefined,
      };
    });
  }

  /** Writes (or replaces) the marker. */
  mark(marker: MigrationMarker): Promise<void> {
    return this.run('write to', async () => {
      await this.client
        .db(this.options.database)
        .collection<SatDocument>(COLLECTIONS.meta)
        .replaceOne(
          { _id: MIGRATION_MARKER_ID },
          { key: MIGRATION_MARKER_ID, value: JSON.stringify(marker) },
          { upsert: true },
        );
    });
  }

  /**
   * After a run killed inside a batch (MongoDB without a replica set has no transactions), the
   * events that batch claimed are ahead of their session's checkpoint and its rows may be partly
   * written. Gives those claims back (so the events are applied again) and returns how many there
   * were; the caller then re-projects the rows up to the checkpoints (`rebuild`). 0: nothing torn.
   */
  releaseTornClaims(machine: string): Promise<number> {
    return this.run('repair', async () => {
      const db = this.client.db(this.options.database);
      const events = db.collection<SatDocument>(COLLECTIONS.events);
      const checkpoints = new Map<string, number>();
      for (const doc of await db
        .collection<SatDocument>(COLLECTIONS.checkpoints)
        .find({ machine }, { projection: { session: 1, lastSeq: 1 } })
        .toArray())
        checkpoints.set(doc.session, doc.lastSeq);
      let released = 0;
      for (const session of await events.distinct('session', { machine })) {
        const filter = { machine, session, seq: { $gt: checkpoints.get(String(session)) ?? 0 } };
        released += (await events.deleteMany(filter)).deletedCount;
      }
      return released;
    });
  }

  /**
   * The rollback of a migration into a database that held none of our data: drops this store's
   * collections (and the marker with them); the database's other collections are left alone.
   * Returns the collections dropped.
   */
  dropStoreCollections(): Promise<string[]> {
    return this.run('roll back', async () => {
      const db = this.client.db(this.options.database);
      const existing = new Set(
        (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
      );
      const dropped: string[] = [];
      for (const name of storeCollections())
        if (existing.has(name)) {
          await db.dropCollection(name);
          dropped.push(name);
        }
      return dropped;
    });
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toMongoSatError(error, { ...this.context, action });
    }
  }
}

/**
 * Connects to the database `sat migrate` copies into or reads from.
 *
 * @example
 * const target = await openMongoMigrationTarget({ url: 'mongodb://127.0.0.1:27017', database: 'sat' });
 * const { documents, marker } = await target.inspect();
 * await target.close();
 */
export function openMongoMigrationTarget(
  options: MongoMigrationTargetOptions,
): Promise<MongoMigrationTarget> {
  return MongoMigrationTarget.open(options);
}
