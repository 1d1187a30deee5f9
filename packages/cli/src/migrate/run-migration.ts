/**
 * The steps every migration takes, whichever way it goes: bring the source up to date with the
 * log, fill the target from the log (batches, progress, resumable by its per-session checkpoints),
 * verify, then switch the config or roll back.
 */
import { isSatError, listSessions } from '@sat/core';
import type { CliStore } from '../analytics.js';
import type { CliContext } from '../context.js';
import { copyBar } from './copy-progress.js';
import { envOverrides } from './env-overrides.js';
import type { MigrateHooks, MigratePlan, MigrateRequest, MigrateResult } from './migrate-types.js';
import { verifyStores } from './verify-stores.js';

/** One direction of a migration: its plan, how to open both stores, switch and roll back. */
export interface MigrationLeg {
  plan: MigratePlan;
  openSource(): Promise<CliStore>;
  openTarget(): Promise<CliStore>;
  /** Once confirmed, before anything is copied (the MongoDB marker). */
  begin(): Promise<void>;
  /** With the target open, before the copy: repairs what an interrupted run left half written. */
  prepare?(target: CliStore): Promise<void>;
  /** After the verification passed and both stores closed: writes the config; returns its file. */
  commit(): Promise<string>;
  /** Removes what the migration wrote; returns what it removed. */
  rollback(): Promise<string[]>;
  /** Only the counts of this machine's events and sessions can be compared (a shared database). */
  machineCountsOnly?: boolean;
}

/**
 * The sessions of the log, oldest first, and how many events they hold.
 *
 * @example
 * const { sessions, events } = await logFigures(ctx.config().paths.logs);
 */
export async function logFigures(logsDir: string): Promise<{ sessions: string[]; events: number }> {
  const sessions = await listSessions(logsDir);
  return { sessions: sessions.map((s) => s.session), events: sessions.reduce((n, s) => n + s.events, 0) };
}

const errorOf = (error: unknown) => ({
  code: isSatError(error) ? error.code : 'INTERNAL',
  message: (error as Error).message ?? String(error),
});

async function closeAll(stores: Array<CliStore | undefined>): Promise<void> {
  for (const store of stores) await store?.close().catch(() => undefined);
}

async function copyAndVerify(
  ctx: CliContext,
  leg: MigrationLeg,
  request: MigrateRequest,
  hooks: MigrateHooks,
  sessions: string[],
): Promise<Pick<MigrateResult, 'copied' | 'verification' | 'differences'>> {
  let source: CliStore | undefined;
  let target: CliStore | undefined;
  try {
    source = await leg.openSource();
    await source.ingestLog();
    target = await leg.openTarget();
    await leg.prepare?.(target);
    const bar = await copyBar(ctx, request.json);
    const started = performance.now();
    const ingest = await target
      .ingestLog(undefined, { onProgress: (p) => bar.update(p) })
      .finally(() => bar.stop());
    const copied = {
      applied: ingest.applied,
      duplicates: ingest.duplicates,
      ms: Math.round(performance.now() - started),
    };
    await hooks.beforeVerify?.(target);
    const { differences, ...verification } = await verifyStores(source, target, {
      sessions,
      now: Date.now(),
      machineCountsOnly: leg.machineCountsOnly,
    });
    return { copied, verification, differences };
  } finally {
    await closeAll([target, source]);
  }
}

/**
 * Runs a confirmed migration leg: begin, copy, verify, then commit, or roll back on a difference
 * or a failure (the config is then left as it was). A rollback that fails too is reported in the
 * error; the partial copy then stays, marked, and the next run resumes it.
 *
 * @example
 * const result = await runMigration(ctx, leg, request, {}, sessions);
 * if (!result.ok) console.error(result.differences, result.error);
 */
export async function runMigration(
  ctx: CliContext,
  leg: MigrationLeg,
  request: MigrateRequest,
  hooks: MigrateHooks,
  sessions: string[],
): Promise<MigrateResult> {
  const base: MigrateResult = { ...leg.plan, ok: false, dryRun: false, differences: [] };
  let outcome: Pick<MigrateResult, 'copied' | 'verification' | 'differences'>;
  try {
    await leg.begin();
    outcome = await copyAndVerify(ctx, leg, request, hooks, sessions);
  } catch (error) {
    return { ...base, error: errorOf(error), ...(await rollBack(leg)) };
  }
  if (outcome.differences.length > 0) return { ...base, ...outcome, ...(await rollBack(leg)) };
  try {
    const configFile = await leg.commit();
    base.notes = [...base.notes, ...envOverrides(process.env, request)];
    return { ...base, ...outcome, ok: true, configFile };
  } catch (error) {
    return { ...base, ...outcome, error: errorOf(error), ...(await rollBack(leg)) };
  }
}

async function rollBack(leg: MigrationLeg): Promise<Pick<MigrateResult, 'rolledBack' | 'rollbackError'>> {
  try {
    return { rolledBack: await leg.rollback() };
  } catch (error) {
    return {
      rolledBack: [],
      rollbackError: `the rollback failed (${errorOf(error).message}); the partial copy stays, marked as an interrupted migration: run 'sat migrate' again to resume it`,
    };
  }
}
