/**
 * `sat migrate --to sqlite`: builds a new SQLite store from the log in a staging file next to
 * `sat.db` (resumable: an interrupted run's staging file is continued), verifies it against the
 * MongoDB store, then moves the old `sat.db` aside (kept, never deleted), puts the new one in its
 * place and sets `store.kind` to `sqlite`. The rollback deletes the staging file only.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '@sat/store-sqlite';
import { updateConfigFile } from '../config-file.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import {
  CHECKS,
  type MigrateHooks,
  type MigratePlan,
  type MigrateRequest,
  type MigrateResult,
} from './migrate-types.js';
import { contactRemoteStore } from './mongo-remote.js';
import { logFigures, type MigrationLeg, runMigration } from './run-migration.js';

/** The staging file a migration to SQLite builds before it replaces `sat.db`. */
export const STAGING_FILE = 'sat.db.migrating';

const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

function moveWithSideFiles(from: string, to: string): void {
  for (const suffix of SIDE_FILES) if (existsSync(from + suffix)) renameSync(from + suffix, to + suffix);
}

function removeWithSideFiles(file: string): string[] {
  const removed = SIDE_FILES.map((s) => file + s).filter((f) => existsSync(f));
  for (const f of removed) rmSync(f, { force: true });
  return removed;
}

function legOf(
  ctx: CliContext,
  plan: MigratePlan,
  files: { live: string; staging: string },
  source: { open: MigrationLeg['openSource']; shared: boolean },
): MigrationLeg {
  const config = ctx.config();
  return {
    plan,
    openSource: source.open,
    openTarget: () => openSqliteStore({ file: files.staging, config }),
    begin: () => Promise.resolve(),
    commit() {
      if (existsSync(files.live))
        moveWithSideFiles(
          files.live,
          `${files.live}.before-migrate-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        );
      moveWithSideFiles(files.staging, files.live);
      return Promise.resolve(
        updateConfigFile(config, (file) => ({ ...file, store: { ...file.store, kind: 'sqlite' } })),
      );
    },
    rollback: () => Promise.resolve(removeWithSideFiles(files.staging)),
    machineCountsOnly: source.shared,
  };
}

/**
 * Runs `sat migrate --to sqlite` (or its dry run; see `migrateStore`).
 *
 * @example
 * const result = await migrateToSqlite(ctx, { to: 'sqlite', dryRun: false, json: true }, {});
 */
export async function migrateToSqlite(
  ctx: CliContext,
  request: MigrateRequest,
  hooks: MigrateHooks,
): Promise<MigrateResult> {
  const config = ctx.config();
  if (config.store.kind !== 'mongo')
    throw new UsageError("store.kind is already 'sqlite': nothing to migrate");
  if (request.url !== undefined || request.database !== undefined)
    throw new UsageError(
      '--url and --database name the MongoDB target of --to mongo; --to sqlite reads store.mongo',
    );
  const url = config.store.mongo.url;
  if (!url)
    throw new UsageError(
      'store.kind is mongo but store.mongo.url (SAT_MONGO_URL) is not set: set it to read the MongoDB store',
    );
  const { database, machine } = config.store.mongo;
  const files = {
    live: join(config.paths.analytics, 'sat.db'),
    staging: join(config.paths.analytics, STAGING_FILE),
  };
  const log = await logFigures(config.paths.logs);
  const remote = await contactRemoteStore({ url, database }, hooks, config);
  try {
    const inspection = await remote.target.inspect();
    const others = inspection.machines.filter((m) => m !== machine);
    const notes = [
      ...(existsSync(files.staging) ? [`continues the interrupted migration in ${files.staging}`] : []),
      ...(existsSync(files.live)
        ? [`the old ${files.live} is kept, moved aside as sat.db.before-migrate-<time>`]
        : []),
      ...(others.length > 0
        ? [
            `shared database (also machines ${others.join(', ')}): its answers include their work, so only this machine's events and sessions are compared`,
          ]
        : []),
    ];
    const plan: MigratePlan = {
      from: 'mongo',
      to: 'sqlite',
      source: remote.location,
      target: files.live,
      sessions: log.sessions.length,
      events: log.events,
      resume: existsSync(files.staging),
      notes,
      checks: others.length > 0 ? ["this machine's applied events and sessions with a checkpoint"] : CHECKS,
    };
    if (request.dryRun) return { ...plan, ok: true, dryRun: true, differences: [] };
    if (hooks.confirm && !(await hooks.confirm(plan)))
      throw new UsageError('not migrated: nothing was written');
    const source = {
      open: () => remote.mongo.openMongoStore({ config, url, database }),
      shared: others.length > 0,
    };
    return await runMigration(ctx, legOf(ctx, plan, files, source), request, hooks, log.sessions);
  } finally {
    await remote.target.close();
  }
}
