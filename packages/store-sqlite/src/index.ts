/**
 * `@sat/store-sqlite`: the SubAgent Tracking System's analytics store on SQLite (kysely +
 * better-sqlite3), the embedded default. It implements core's `AnalyticsStore`.
 *
 * @module @sat/store-sqlite
 */
export { moveAside as moveDamagedDatabaseAside } from './sqlite-connection.js';
export type { SqliteDatabase, SqliteRunResult, SqliteStatement } from './sqlite-database.js';
export { checkSqliteDatabase, type DatabaseCheck } from './sqlite-health.js';
export { MIGRATIONS, type MigrateResult, SCHEMA_VERSION } from './sqlite-migrations.js';
export { openSqliteStore, type SqliteStore } from './sqlite-store.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_DB_FILE,
  type SqliteStoreOptions,
} from './sqlite-store-config.js';
