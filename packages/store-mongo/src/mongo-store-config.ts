/**
 * The options of `openMongoStore` and their defaults, from the config's `store.mongo` (itself
 * filled from `SAT_MONGO_URL`, the host name and the OS user).
 */
import {
  DEFAULT_MONGO_DATABASE,
  DEFAULT_PRICES,
  loadConfig,
  type PriceTable,
  type SatConfig,
  SatError,
} from '@sat/core';
import type { ProjectionName } from '@sat/core/projections';
import type { MongoClient } from 'mongodb';
import { PKG } from './mongo-errors.js';

/** Default of {@link MongoStoreOptions.batchSize}. */
export const DEFAULT_MONGO_BATCH_SIZE = 2500;

/** Default of {@link MongoStoreOptions.serverSelectionTimeoutMS}. */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;

/** Options of `openMongoStore`. Everything but a URL (here or in the config) has a default. */
export interface MongoStoreOptions {
  /** The connection string. Default `config.store.mongo.url` (`SAT_MONGO_URL`). */
  url?: string;
  /** The database. Default `config.store.mongo.database`, else `sat`. */
  database?: string;
  /** Written on every document. Default `config.store.mongo.machine` (the host name). */
  machine?: string;
  /** Written on every document. Default `config.store.mongo.user` (the OS user). */
  user?: string;
  /** Days after which raw event documents expire (rollups are kept). Default `config.store.mongo.ttlDays`, else never. */
  ttlDays?: number;
  /** The session logs `ingestLog` and `rebuild` read. Default `config.paths.logs`. */
  logsDir?: string;
  /** The resolved configuration. Default `loadConfig()` when something above is missing. */
  config?: SatConfig;
  /** Events written per batch. Default 2500. */
  batchSize?: number;
  /** Price table for costs. Default the config's, else `DEFAULT_PRICES`. */
  prices?: PriceTable;
  /** Projection versions to build with (default: core's). */
  projectionVersions?: Partial<Record<ProjectionName, number>>;
  /** How long to look for a server before failing with `TARGET_UNAVAILABLE`. Default 10000 ms. */
  serverSelectionTimeoutMS?: number;
  /** A connected client to use instead of opening one (it is not closed by the store). */
  client?: MongoClient;
}

/** The options with their defaults applied. */
export interface ResolvedMongoSettings {
  url: string;
  database: string;
  machine: string;
  user: string;
  ttlDays: number | undefined;
  logsDir: string;
  batchSize: number;
  prices: PriceTable;
  projectionVersions: Partial<Record<ProjectionName, number>>;
  serverSelectionTimeoutMS: number;
}

/** Applies the defaults; loads the config only when something is missing. */
export function resolveMongoSettings(options: MongoStoreOptions): ResolvedMongoSettings {
  const complete =
    options.url !== undefined &&
    options.logsDir !== undefined &&
    options.machine !== undefined &&
    options.user !== undefined;
  const config = options.config ?? (complete ? undefined : loadConfig());
  const mongo = config?.store.mongo;
  const url = options.url ?? mongo?.url;
  if (!url)
    throw new SatError(
      'INVALID_CONFIG',
      `${PKG} no MongoDB connection string: set store.mongo.url in sat.config.json or SAT_MONGO_URL (mongodb://host:27017 or mongodb+srv://user:password@cluster.example.net)`,
      { details: { key: 'store.mongo.url' } },
    );
  return {
    url,
    database: options.database ?? mongo?.database ?? DEFAULT_MONGO_DATABASE,
    machine: options.machine ?? mongo!.machine,
    user: options.user ?? mongo!.user,
    ttlDays: options.ttlDays ?? mongo?.ttlDays,
    logsDir: options.logsDir ?? config!.paths.logs,
    batchSize: Math.max(1, options.batchSize ?? DEFAULT_MONGO_BATCH_SIZE),
    prices: options.prices ?? config?.prices ?? DEFAULT_PRICES,
    projectionVersions: options.projectionVersions ?? {},
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  };
}
