import { createRequire } from 'node:module';
import type { SqliteDatabase } from './sqlite-database.js';
import { isCorruption } from './sqlite-errors.js';

const require = createRequire(import.meta.url);

/** What {@link checkSqliteDatabase} found. */
export interface DatabaseCheck {
  /** True when SQLite's `quick_check` found nothing wrong. */
  ok: boolean;
  /** What SQLite reported (at most 10 lines), empty when ok. */
  problems: string[];
}

/**
 * Checks a database file with `PRAGMA quick_check`, read-only: a file that is not a database or
 * whose pages are damaged gives `ok: false` with SQLite's words. Other failures (a locked or
 * unreadable file) are thrown.
 *
 * @example
 * const { ok, problems } = checkSqliteDatabase('/project/.claude/analytics/sat.db');
 */
export function checkSqliteDatabase(file: string): DatabaseCheck {
  const Database = require('better-sqlite3') as new (
    file: string,
    options: { readonly: boolean; fileMustExist: boolean },
  ) => SqliteDatabase;
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('PRAGMA quick_check(10)').all() as Array<{ quick_check: string }>;
    const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
    return { ok: problems.length === 0, problems };
  } catch (error) {
    if (!isCorruption(error)) throw error;
    return { ok: false, problems: [(error as Error).message] };
  } finally {
    db?.close();
  }
}
