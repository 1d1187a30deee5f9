import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isSatError } from '@sat/core';
import { openStore } from '../analytics.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { formatDuration, printJson } from '../output.js';
import type { rebuildCommand } from '../registry.js';

/** Moves `file` aside when SQLite finds it damaged; returns where it went. */
async function setAsideIfDamaged(file: string, force = false): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  const { checkSqliteDatabase, moveDamagedDatabaseAside } = await import('@sat/store-sqlite');
  if (!force && checkSqliteDatabase(file).ok) return undefined;
  return moveDamagedDatabaseAside(file);
}

async function rebuildOnce(ctx: CliContext) {
  const store = await openStore(ctx);
  try {
    return await store.rebuild();
  } finally {
    await store.close();
  }
}

/**
 * Drops the analytics projections and rebuilds them from the event log. A damaged database
 * (SQLite's `quick_check`, or a rebuild that finds it damaged) is first moved aside as
 * `sat.db.damaged-<time>` and a fresh one is built.
 */
export const run: HandlerOf<typeof rebuildCommand> = async (ctx, _args, options) => {
  const file = join(ctx.config().paths.analytics, 'sat.db');
  let movedAside = await setAsideIfDamaged(file);
  let result: Awaited<ReturnType<typeof rebuildOnce>>;
  try {
    result = await rebuildOnce(ctx);
  } catch (error) {
    if (movedAside || !isSatError(error, 'STORE_CORRUPT')) throw error;
    movedAside = await setAsideIfDamaged(file, true);
    result = await rebuildOnce(ctx);
  }
  if (options.json) {
    printJson(ctx, movedAside ? { ...result, movedAside } : result);
    return 0;
  }
  if (movedAside) ctx.print(`the analytics database was damaged: moved it aside to ${movedAside}`);
  ctx.print(
    `rebuilt ${result.projections.length} projection(s) from the log: ${result.events} event(s) of ${result.sessions} session(s) in ${formatDuration(result.ms)}`,
  );
  return 0;
};
