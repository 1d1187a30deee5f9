import { type AnalyticsStoreStatus, assertMongoAllowed, type DriverAnalyticsStore } from '@sat/core';
import type { SqliteStore } from '@sat/store-sqlite';
import { loadAdapter } from './adapter-loader.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';

/** The package that holds the analytics store. */
const STORE_PACKAGE = '@sat/store-sqlite';

/** The analytics store the commands read: SQLite's or MongoDB's, as `store.kind` says. */
export type CliStore = DriverAnalyticsStore & { status(): Promise<AnalyticsStoreStatus> };

/**
 * Opens the SQLite analytics store (`<data root>/analytics/sat.db`), whatever `store.kind` says
 * (`sat review` copies its file). The package is imported here, on first use, so commands that do
 * not need it (`sat hook`, `sat log`) never load SQLite. When it cannot be loaded, the error says
 * which package to add.
 */
export async function openSqliteStoreOf(ctx: CliContext): Promise<SqliteStore> {
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

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** MongoDB only: how long to look for the server before `TARGET_UNAVAILABLE`. Default the store's (10 s). */
  serverSelectionTimeoutMS?: number;
  /** Imports `@sat/store-mongo` (tests replace it). */
  importMongo?: () => Promise<typeof import('@sat/store-mongo')>;
}

/** How long a best-effort refresh after capture waits for an unreachable MongoDB. */
export const REFRESH_SERVER_SELECTION_MS = 2000;

/**
 * Opens the configured analytics store: SQLite by default, MongoDB when `store.kind` is `mongo`
 * (`@sat/store-mongo`, loaded only then; its absence says `npm i @sat/store-mongo`).
 */
export async function openStore(ctx: CliContext, options: OpenStoreOptions = {}): Promise<CliStore> {
  const config = ctx.config();
  if (config.store.kind !== 'mongo') return openSqliteStoreOf(ctx);
  assertMongoAllowed(config, config.store.mongo.url, 'open the MongoDB analytics store');
  const mongo = await loadAdapter(
    '@sat/store-mongo',
    "the MongoDB analytics store (store.kind 'mongo')",
    options.importMongo ?? (() => import('@sat/store-mongo')),
  );
  return mongo.openMongoStore({
    config,
    ...(options.serverSelectionTimeoutMS !== undefined && {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS,
    }),
  });
}

/**
 * Brings the analytics store up to date with the event log (only what is new). Best effort: the
 * log stays the source of truth, so a failure is a warning on stderr and changes nothing else; an
 * unreachable MongoDB is given up after {@link REFRESH_SERVER_SELECTION_MS} (`sat stats` catches up).
 */
export async function refreshAnalytics(ctx: CliContext): Promise<void> {
  try {
    const store = await openStore(ctx, { serverSelectionTimeoutMS: REFRESH_SERVER_SELECTION_MS });
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
