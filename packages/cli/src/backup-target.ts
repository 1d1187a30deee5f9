import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { type DatabaseBackup, LocalDirectoryTarget, type SatConfig, type StorageTarget } from '@sat/core';
import { UsageError } from './main.js';

/** The target flags `sat backup`, `sat restore` and `sat backups` share. */
export interface TargetFlags {
  /** Kind of target (default: `backup.target` of the config, `local`). */
  target?: string;
  /** The local target's folder (default: `backup.dir` of the config, `<root>/backups`). */
  dir?: string;
}

/** The storage target the flags (else the config) name. Cloud targets come as their own packages. */
export function backupTarget(config: SatConfig, flags: TargetFlags): StorageTarget {
  const kind = flags.target ?? config.backup.target;
  if (kind !== 'local') {
    throw new UsageError(
      `unknown backup target '${kind}': this version of sat backs up to a local folder only (--target local --dir <path>, which may be a mounted NAS or a synced folder)`,
    );
  }
  return new LocalDirectoryTarget({ dir: flags.dir ? resolve(flags.dir) : config.backup.dir });
}

/** better-sqlite3's constructor, as far as the online backup needs it. */
type SqliteConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => { backup(dest: string): Promise<unknown>; close(): void };

function loadSqlite(): SqliteConstructor | undefined {
  const require = createRequire(import.meta.url);
  const attempts = [
    () => require('better-sqlite3'),
    // The SQLite store's own copy, when @sat/store-sqlite is installed beside the CLI.
    () => createRequire(require.resolve('@sat/store-sqlite/package.json'))('better-sqlite3'),
  ];
  for (const attempt of attempts) {
    try {
      return attempt() as SqliteConstructor;
    } catch {}
  }
  return undefined;
}

/**
 * The online backup of the SQLite analytics database (better-sqlite3's backup API), when a
 * SQLite driver is installed; undefined otherwise (the backup then leaves the database out and
 * says so: the log rebuilds it).
 */
export function sqliteDatabaseBackup(): DatabaseBackup | undefined {
  const Database = loadSqlite();
  if (!Database) return undefined;
  return async (dest, source) => {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await db.backup(dest);
    } finally {
      db.close();
    }
  };
}
