/**
 * Opening the database file: the connection with its pragmas and codec functions, and the
 * corruption handling of `onCorrupt: 'recreate'` (the damaged file is moved aside).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { registerCodecFunctions } from './sqlite-codec.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { isCorruption } from './sqlite-errors.js';
import type { SqliteStoreSettings } from './sqlite-store-config.js';

const require = createRequire(import.meta.url);

/** Sets the pragmas and registers the codec functions; fails at once on a damaged file. */
export function prepareConnection(db: SqliteDatabase, settings: SqliteStoreSettings): void {
  // Reading the schema fails at once (SQLITE_NOTADB / SQLITE_CORRUPT) on a damaged file.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  db.pragma(`cache_size = -${settings.cacheSizeKiB}`);
  db.pragma('temp_store = MEMORY');
  // After a checkpoint resets it, the WAL file is cut back to this size.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  registerCodecFunctions(db);
}

function connect(settings: SqliteStoreSettings): SqliteDatabase {
  const Database = require('better-sqlite3') as new (
    file: string,
    options: { timeout: number },
  ) => SqliteDatabase;
  if (settings.file !== ':memory:') mkdirSync(dirname(settings.file), { recursive: true });
  const db = new Database(settings.file, { timeout: settings.busyTimeoutMs });
  try {
    prepareConnection(db, settings);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Renames a damaged database (and its WAL and shared-memory files) to `<file>.damaged-<time>`,
 * returning the new name, so that a fresh one can be rebuilt from the log.
 *
 * @example
 * const aside = moveAside('/project/.claude/analytics/sat.db'); // '.../sat.db.damaged-2026-...'
 */
export function moveAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm'])
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * Opens `settings.file` (creating its folder), or prepares the injected `database`. A damaged file
 * is moved aside and opened afresh when `onCorrupt` is `recreate`; otherwise the native error is
 * thrown for the caller to map.
 */
export function openConnection(settings: SqliteStoreSettings, database?: SqliteDatabase): SqliteDatabase {
  if (database) {
    prepareConnection(database, settings);
    return database;
  }
  try {
    return connect(settings);
  } catch (error) {
    if (settings.onCorrupt !== 'recreate' || !isCorruption(error)) throw error;
    moveAside(settings.file);
    return connect(settings);
  }
}
