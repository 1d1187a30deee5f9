import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  type AutoBackupOptions,
  assertCloudAllowed,
  assertMongoAllowed,
  type DatabaseBackup,
  LocalDirectoryTarget,
  type SatConfig,
  type StorageTarget,
} from '@sat/core';
import { loadAdapter } from './adapter-loader.js';
import { s3Target } from './archive-target.js';
import { UsageError } from './errors.js';

/** The target flags `sat backup`, `sat restore` and `sat backups` share. */
export interface TargetFlags {
  /** Kind of target (default: `backup.target` of the config, `local`). */
  target?: string;
  /** The local target's folder (default: `backup.dir` of the config, `<root>/backups`). */
  dir?: string;
}

const TARGET_KINDS = ['local', 'gdrive', 's3', 'mongo'] as const;

/**
 * The storage target the flags (else the config) name: a local folder, Google Drive
 * (`@sat/backup-gdrive`, set up by `sat setup gdrive`) or the S3 bucket of `archive.s3`
 * (`@sat/archive-s3`) or GridFS in the MongoDB of `store.mongo` (`@sat/store-mongo`). Cloud
 * clients are loaded only here, only when chosen.
 */
export async function backupTarget(config: SatConfig, flags: TargetFlags = {}): Promise<StorageTarget> {
  const kind = flags.target ?? config.backup.target;
  if (!(TARGET_KINDS as readonly string[]).includes(kind))
    throw new UsageError(
      `unknown backup target '${kind}': use local (a folder, a mounted NAS or a synced folder), gdrive (Google Drive), s3 or mongo (GridFS)`,
    );
  if (flags.dir && kind !== 'local') throw new UsageError(`--dir is for the local target, not ${kind}`);
  if (kind === 'gdrive') {
    assertCloudAllowed(config, 'use the Google Drive backup target');
    const gdrive = await loadAdapter(
      '@sat/backup-gdrive',
      'the Google Drive target',
      () => import('@sat/backup-gdrive'),
    );
    return gdrive.createGoogleDriveTarget({
      credentialsDir: config.paths.credentials,
      folder: config.backup.gdrive.folder,
      ...googleEndpoints(),
    });
  }
  if (kind === 's3') return s3Target(config);
  if (kind === 'mongo') return mongoTarget(config);
  return new LocalDirectoryTarget({ dir: flags.dir ? resolve(flags.dir) : config.backup.dir });
}

/** GridFS in the database of `store.mongo` (`@sat/store-mongo`, loaded only now). */
async function mongoTarget(config: SatConfig): Promise<StorageTarget> {
  const { url, database } = config.store.mongo;
  if (!url)
    throw new UsageError(
      'the mongo backup target needs a connection string: set store.mongo.url in sat.config.json or SAT_MONGO_URL',
    );
  assertMongoAllowed(config, url, 'use the MongoDB (GridFS) backup target');
  const mongo = await loadAdapter(
    '@sat/store-mongo',
    'the MongoDB (GridFS) target',
    () => import('@sat/store-mongo'),
  );
  return new mongo.MongoGridFsTarget({ url, database });
}

/**
 * Google API endpoints from `SAT_GDRIVE_API_URL` and `SAT_GDRIVE_TOKEN_URL` (a proxy, or a local
 * Drive v3 server in tests); Google's own when unset.
 */
export function googleEndpoints(env: NodeJS.ProcessEnv = process.env): {
  rootUrl?: string;
  tokenUrl?: string;
} {
  return {
    ...(env.SAT_GDRIVE_API_URL ? { rootUrl: env.SAT_GDRIVE_API_URL } : {}),
    ...(env.SAT_GDRIVE_TOKEN_URL ? { tokenUrl: env.SAT_GDRIVE_TOKEN_URL } : {}),
  };
}

/**
 * The target automatic backups go to: `backup.target`, except the local folder when `backup.auto`
 * is `local` or local-only mode is on (`privacy.localOnly`: nothing automatic is ever refused).
 */
export function autoBackupFlags(config: SatConfig): TargetFlags {
  return config.backup.auto === 'local' || config.privacy.localOnly ? { target: 'local' } : {};
}

/** What the capture pipeline needs to back sessions up by itself (see `autoBackupSessions`). */
export function autoBackupOptions(config: SatConfig): AutoBackupOptions {
  return {
    openTarget: () => backupTarget(config, autoBackupFlags(config)),
    // Read only when a backup is due: most ingests back nothing up and never load the driver.
    get databaseBackup() {
      return sqliteDatabaseBackup();
    },
  };
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
