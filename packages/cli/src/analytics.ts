import type { SqliteStore } from '@sat/store-sqlite';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';

/** The package that holds the analytics store. */
const STORE_PACKAGE = '@sat/store-sqlite';

/**
 * Opens the analytics store (`<data root>/analytics/sat.db`). The store's package is imported here,
 * on first use, so commands that do not need it (`sat hook`, `sat log`) never load SQLite. When
 * it cannot be loaded, the error says which package to add.
 */
export async function openStore(ctx: CliContext): Promise<SqliteStore> {
  let mod: typeof import('@sat/store-sqlite');
  try {
    mod = await import('@sat/store-sqlite');
  } catch (error) {
    throw new UsageError(
      `the analytics store is not installed: add the package ${STORE_PACKAGE} (npm install ${STORE_PACKAGE}, or pnpm add ${STORE_PACKAGE}) (${(error as Error).message})`,
    );
  }
  return mod.openSqliteStore({ config: ctx.config() });
}

/**
 * Brings the analytics store up to date with the event log (only what is new). Best effort: the
 * log stays the source of truth, so a failure is a warning on stderr and changes nothing else.
 */
export async function refreshAnalytics(ctx: CliContext): Promise<void> {
  try {
    const store = await openStore(ctx);
    try {
      await store.ingestLog();
    } finally {
      await store.close();
    }
  } catch (error) {
    ctx.note(
      `sat: warning: analytics not updated (${(error as Error).message}); the events are safe in the log, run 'sat rebuild' later`,
    );
  }
}
