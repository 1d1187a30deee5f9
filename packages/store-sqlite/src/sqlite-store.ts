import {
  type AnalyticsStoreStatus,
  createAnalyticsStore,
  type DriverAnalyticsStore,
  type SatError,
} from '@sat/core';
import type { Kysely } from 'kysely';
import { moveAside, openConnection } from './sqlite-connection.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { kyselyOf, SqliteDriver } from './sqlite-driver.js';
import { toSatError } from './sqlite-errors.js';
import { migrate } from './sqlite-migrations.js';
import { resolveSettings, type SqliteStoreOptions, type SqliteStoreSettings } from './sqlite-store-config.js';

/**
 * The analytics store on SQLite (kysely + better-sqlite3): one file, WAL, versioned migrations,
 * idempotent batched ingestion with a checkpoint per session, rollups for fast queries, and
 * rebuild from the log. Open it with {@link openSqliteStore}.
 */
export interface SqliteStore extends DriverAnalyticsStore {
  /** The database file. */
  readonly file: string;
  status(): Promise<AnalyticsStoreStatus>;
}

/** Migrates the connection and wraps it in a driver; a failure closes nothing (the caller does). */
async function driverOn(db: SqliteDatabase, settings: SqliteStoreSettings): Promise<SqliteDriver> {
  const kysely = kyselyOf(db);
  try {
    await migrate(db, kysely as unknown as Kysely<unknown>, settings.file);
  } catch (error) {
    await kysely.destroy();
    throw toSatError(error, { file: settings.file, action: 'open', busyTimeoutMs: settings.busyTimeoutMs });
  }
  return new SqliteDriver(db, kysely, settings);
}

/**
 * Opens (creating if needed) the SQLite analytics store: `<config.paths.analytics>/sat.db` unless
 * `file` is given. Runs the migrations (refusing a database from a newer version with
 * `STORE_TOO_NEW`), and rebuilds any projection whose version changed. A damaged file fails with
 * `STORE_CORRUPT` (or is moved aside with `onCorrupt: 'recreate'`); a database locked by another
 * process is waited for `busyTimeoutMs`, then fails with `LOCK_TIMEOUT`.
 *
 * @example
 * const store = await openSqliteStore({ config: loadConfig() });
 * await store.ingestLog();
 * console.table((await store.toolEffectiveness({ days: 7 })).tools);
 * await store.close();
 */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const settings = resolveSettings(options);
  let db: SqliteDatabase;
  try {
    db = openConnection(settings, options.database);
  } catch (error) {
    throw toSatError(error, { file: settings.file, action: 'open', busyTimeoutMs: settings.busyTimeoutMs });
  }
  try {
    const driver = await driverOn(db, settings);
    const store = await createAnalyticsStore(driver, {
      logsDir: settings.logsDir,
      batchSize: settings.batchSize,
      prices: settings.prices,
      projectionVersions: settings.projectionVersions,
      identity: settings.identity,
    });
    return Object.assign(store, { file: settings.file }) as SqliteStore;
  } catch (error) {
    const recreate = settings.onCorrupt === 'recreate' && !options.database;
    if (db.open && !options.database) db.close();
    if (recreate && (error as SatError).code === 'STORE_CORRUPT') {
      moveAside(settings.file);
      return openSqliteStore({ ...options, onCorrupt: 'error' });
    }
    throw error;
  }
}
