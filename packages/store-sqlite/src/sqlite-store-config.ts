import { join } from 'node:path';
import { DEFAULT_PRICES, type EventOwner, loadConfig, type PriceTable, type SatConfig } from '@sat/core';
import type { ProjectionName } from '@sat/core/projections';
import { UNKNOWN_OWNER } from '@sat/core/projections';
import type { SqliteDatabase } from './sqlite-database.js';

/** The database file's name inside the analytics folder. */
export const DEFAULT_DB_FILE = 'sat.db';

/** Default of {@link SqliteStoreOptions.busyTimeoutMs}. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Default of {@link SqliteStoreOptions.batchSize}. */
export const DEFAULT_BATCH_SIZE = 2500;

/** Options of `openSqliteStore`. Everything has a default. */
export interface SqliteStoreOptions {
  /** The database file. Default `<config.paths.analytics>/sat.db`. */
  file?: string;
  /** The session logs, read by `ingestLog` and `rebuild`. Default `config.paths.logs`. */
  logsDir?: string;
  /** The resolved configuration, for the defaults above and the prices. Default `loadConfig()`. */
  config?: SatConfig;
  /** An open better-sqlite3 connection to use instead of opening `file` (e.g. `:memory:` in tests). */
  database?: SqliteDatabase;
  /** How long to wait for a database locked by another connection, then fail. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Events written per transaction. Default 2500. */
  batchSize?: number;
  /**
   * Price table for costs. Default: the config's (`DEFAULT_PRICES` with its overrides) when a config
   * is given or loaded, else `DEFAULT_PRICES`. Each query can pass its own.
   */
  prices?: PriceTable;
  /**
   * A damaged or non-SQLite file: `error` (default) fails with `STORE_CORRUPT`; `recreate` moves it
   * aside (`sat.db.damaged-<time>`, with its -wal and -shm) and starts an empty database, to `rebuild()` from the log.
   */
  onCorrupt?: 'error' | 'recreate';
  /** Projection versions to build with (default: core's). Tests raise one to see the rebuild. */
  projectionVersions?: Partial<Record<ProjectionName, number>>;
  /** SQLite page cache, KiB. Default 8192. */
  cacheSizeKiB?: number;
  /**
   * Whose the local events are (imported events keep their `meta.origin`). Default
   * `config.identity` when a config is given or loaded, else `unknown` / `unknown`.
   */
  identity?: EventOwner;
}

/** The options with their defaults applied. */
export interface SqliteStoreSettings {
  file: string;
  logsDir: string;
  busyTimeoutMs: number;
  batchSize: number;
  prices: PriceTable;
  onCorrupt: 'error' | 'recreate';
  projectionVersions: Partial<Record<ProjectionName, number>>;
  cacheSizeKiB: number;
  identity: EventOwner;
}

/** Applies the defaults; loads the config only when `file` or `logsDir` is missing. */
export function resolveSettings(options: SqliteStoreOptions): SqliteStoreSettings {
  const needsConfig =
    (options.file === undefined && options.database === undefined) || options.logsDir === undefined;
  const config = options.config ?? (needsConfig ? loadConfig() : undefined);
  const configuredPrices = (config as { prices?: PriceTable } | undefined)?.prices;
  const file =
    options.file ?? options.database?.name ?? join((config as SatConfig).paths.analytics, DEFAULT_DB_FILE);
  return {
    file,
    logsDir: options.logsDir ?? (config as SatConfig).paths.logs,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
    prices: options.prices ?? configuredPrices ?? DEFAULT_PRICES,
    onCorrupt: options.onCorrupt ?? 'error',
    projectionVersions: options.projectionVersions ?? {},
    cacheSizeKiB: options.cacheSizeKiB ?? 8192,
    identity: options.identity ?? config?.identity ?? UNKNOWN_OWNER,
  };
}
