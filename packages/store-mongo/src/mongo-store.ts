import { type AnalyticsStoreStatus, createAnalyticsStore, type DriverAnalyticsStore } from '@sat/core';
import { MongoClient } from 'mongodb';
import { ensureIndexes } from './mongo-collections.js';
import { MongoDriver } from './mongo-driver.js';
import { type MongoErrorContext, toMongoSatError } from './mongo-errors.js';
import { type MongoStoreOptions, resolveMongoSettings } from './mongo-store-config.js';
import { mongoLocation, mongoUrlUser } from './mongo-url.js';

/** The analytics store on MongoDB. Open it with {@link openMongoStore}. */
export interface MongoStore extends DriverAnalyticsStore {
  /** The database. */
  readonly database: string;
  /** The machine and user written on every document. */
  readonly machine: string;
  readonly user: string;
  status(): Promise<AnalyticsStoreStatus>;
}

function authSourceOf(url: string): string | undefined {
  const match = /[?&]authSource=([^&#]+)/i.exec(url);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/**
 * Opens the analytics store on MongoDB (`store.mongo.url` / `SAT_MONGO_URL`, database
 * `store.mongo.database`, default `sat`): connects, creates the collections' indexes (and the TTL
 * index of `ttlDays`), and rebuilds any projection whose version changed. An unreachable server
 * fails with `TARGET_UNAVAILABLE`, bad credentials with `TARGET_ERROR` naming the user; the
 * password never appears in a message or in `location`.
 *
 * @example
 * const store = await openMongoStore({ url: 'mongodb://127.0.0.1:27017', config: loadConfig() });
 * await store.ingestLog();
 * console.log((await store.costAnalysis({ days: 7 })).cost);
 * await store.close();
 */
export async function openMongoStore(options: MongoStoreOptions = {}): Promise<MongoStore> {
  const settings = resolveMongoSettings(options);
  const context: MongoErrorContext = {
    action: 'open',
    location: mongoLocation(settings.url, settings.database),
    url: settings.url,
    database: settings.database,
    user: mongoUrlUser(settings.url),
    authSource: authSourceOf(settings.url) ?? (mongoUrlUser(settings.url) ? 'admin' : undefined),
  };
  const client =
    options.client ??
    new MongoClient(settings.url, {
      ...(/[?&]serverSelectionTimeoutMS=/i.test(settings.url)
        ? {}
        : { serverSelectionTimeoutMS: settings.serverSelectionTimeoutMS }),
      appName: 'sat',
      ignoreUndefined: true,
    });
  const owner = { machine: settings.machine, user: settings.user };
  try {
    if (!options.client) await client.connect();
    const db = client.db(settings.database);
    await ensureIndexes(db, settings.ttlDays);
    const driver = new MongoDriver(client, db, owner, context, !options.client);
    const store = await createAnalyticsStore(driver, {
      logsDir: settings.logsDir,
      batchSize: settings.batchSize,
      prices: settings.prices,
      projectionVersions: settings.projectionVersions,
      identity: owner,
    });
    return Object.assign(store, { database: settings.database, ...owner }) as MongoStore;
  } catch (error) {
    if (!options.client) await client.close().catch(() => undefined);
    throw toMongoSatError(error, context);
  }
}
