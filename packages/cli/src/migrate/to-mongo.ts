/**
 * `sat migrate --to mongo`: fills a MongoDB database that holds no sat data (or the partial copy
 * of this machine's interrupted migration) from the log, verifies it against the SQLite store,
 * then sets `store.kind` to `mongo`. The rollback drops the store's collections: the database held
 * none of our data, so nothing that was there before is touched.
 */

import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { SatError } from '@sat/core';
import { PROJECTION_NAMES } from '@sat/core/projections';
import { type MongoDatabaseInspection, redactMongoUrl } from '@sat/store-mongo';
import { openSqliteStoreOf } from '../analytics.js';
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
import { contactRemoteStore, type RemoteMongo } from './mongo-remote.js';
import { logFigures, type MigrationLeg, runMigration } from './run-migration.js';

/**
 * Whether the database can be migrated into: true to resume this machine's interrupted copy,
 * false for a database without sat data; a `CONFLICT` naming what is there otherwise.
 *
 * @example
 * const resume = resumeOrRefuse(await target.inspect(), config.store.mongo.machine);
 */
export function resumeOrRefuse(inspection: MongoDatabaseInspection, machine: string): boolean {
  const { marker, documents, location } = inspection;
  const mine = marker?.state === 'copying' && marker.machine === machine;
  const othersData = inspection.machines.some((m) => m !== machine);
  if (mine && !othersData) return true;
  if (marker?.state === 'copying' && !mine)
    throw new SatError(
      'CONFLICT',
      `[sat migrate] machine '${marker.machine}' is migrating into ${location} (since ${marker.startedAt}): choose another database (--database NAME)`,
    );
  // Projection versions alone (`meta`, written by any open) are no data: they are written again on the next open.
  if (documents - (inspection.collections.meta ?? 0) === 0 && marker?.state !== 'copying') return false;
  const machines = inspection.machines.length > 0 ? ` of machine(s) ${inspection.machines.join(', ')}` : '';
  const finished = marker?.state === 'done' ? `, from a migration finished ${marker.finishedAt}` : '';
  throw new SatError(
    'CONFLICT',
    `[sat migrate] ${location} already holds ${documents} sat document(s)${machines}${finished}. A migration copies only into a database without sat data, so that its rollback never touches what was there: choose another database (--database NAME), or, to add this machine to a shared team database, set store.kind to mongo and run 'sat ingest' (see docs/MIGRATION_GUIDE.md)`,
    { details: { location, documents, machines: inspection.machines } },
  );
}

function notesOf(inspection: MongoDatabaseInspection, resume: boolean): string[] {
  const notes: string[] = [];
  if (resume)
    notes.push(
      `continues the migration interrupted after ${inspection.marker?.startedAt} (${inspection.documents} document(s) already copied; nothing is copied twice)`,
    );
  if (inspection.foreign.length > 0)
    notes.push(`the database's other collections are never touched: ${inspection.foreign.join(', ')}`);
  return notes;
}

function legOf(
  ctx: CliContext,
  request: MigrateRequest,
  remote: RemoteMongo,
  plan: MigratePlan,
  url: string,
): MigrationLeg {
  const config = ctx.config();
  const { machine, user } = config.store.mongo;
  const database = request.database ?? config.store.mongo.database;
  return {
    plan,
    openSource: () => openSqliteStoreOf(ctx),
    openTarget: () => remote.mongo.openMongoStore({ config, url, database }),
    begin: () =>
      plan.resume
        ? Promise.resolve()
        : remote.target.mark({ state: 'copying', machine, user, startedAt: new Date().toISOString() }),
    async commit() {
      const startedAt = (await remote.target.inspect()).marker?.startedAt ?? new Date().toISOString();
      await remote.target.mark({
        state: 'done',
        machine,
        user,
        startedAt,
        finishedAt: new Date().toISOString(),
      });
      const written = updateConfigFile(config, (file) => ({
        ...file,
        store: {
          ...file.store,
          kind: 'mongo',
          mongo: {
            ...file.store?.mongo,
            ...(request.url !== undefined && { url: request.url }),
            ...(request.database !== undefined && { database: request.database }),
          },
        },
      }));
      // The URL may hold a password: the file is the user's alone.
      if (request.url !== undefined) chmodSync(written, 0o600);
      return written;
    },
    rollback: () => remote.target.dropStoreCollections(),
    async prepare(target) {
      if (!plan.resume) return;
      const torn = await remote.target.releaseTornClaims(machine);
      if (torn === 0) return;
      plan.notes.push(
        `the interrupted run stopped inside a batch: its ${torn} claimed event(s) were given back and the rows re-projected from the log up to each session's checkpoint`,
      );
      await target.rebuild?.({ projections: [...PROJECTION_NAMES] });
    },
  };
}

/**
 * Runs `sat migrate --to mongo` (or its dry run; see `migrateStore`).
 *
 * @example
 * const result = await migrateToMongo(ctx, { to: 'mongo', url, dryRun: true, json: true }, {});
 */
export async function migrateToMongo(
  ctx: CliContext,
  request: MigrateRequest,
  hooks: MigrateHooks,
): Promise<MigrateResult> {
  const config = ctx.config();
  if (config.store.kind === 'mongo')
    throw new UsageError(
      `store.kind is already 'mongo' (${redactMongoUrl(config.store.mongo.url ?? '')}); to go back: sat migrate --to sqlite`,
    );
  const url = request.url ?? config.store.mongo.url;
  if (!url)
    throw new UsageError(
      "give the MongoDB connection string: sat migrate --to mongo --url 'mongodb+srv://USER:PASSWORD@CLUSTER/' (or set SAT_MONGO_URL); see docs/MIGRATION_GUIDE.md",
    );
  const database = request.database ?? config.store.mongo.database;
  const log = await logFigures(config.paths.logs);
  const remote = await contactRemoteStore({ url, database }, hooks, config);
  try {
    const inspection = await remote.target.inspect();
    const resume = resumeOrRefuse(inspection, config.store.mongo.machine);
    const plan: MigratePlan = {
      from: 'sqlite',
      to: 'mongo',
      source: join(config.paths.analytics, 'sat.db'),
      target: remote.location,
      sessions: log.sessions.length,
      events: log.events,
      resume,
      notes: notesOf(inspection, resume),
      checks: CHECKS,
    };
    if (request.dryRun) return { ...plan, ok: true, dryRun: true, differences: [] };
    if (hooks.confirm && !(await hooks.confirm(plan)))
      throw new UsageError('not migrated: nothing was written');
    return await runMigration(ctx, legOf(ctx, request, remote, plan, url), request, hooks, log.sessions);
  } finally {
    await remote.target.close();
  }
}
