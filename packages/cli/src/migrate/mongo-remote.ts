/**
 * The one place `sat migrate` contacts a remote MongoDB (both ways): a mode that must not reach
 * remote stores (local-only) refuses here, before any connection is made.
 */
import { assertMongoAllowed, type SatConfig } from '@sat/core';
import type { MongoMigrationTarget } from '@sat/store-mongo';
import { loadAdapter } from '../adapter-loader.js';
import type { MigrateHooks } from './migrate-types.js';

/** The MongoDB side of a migration: the package, a connection to the database, where it is. */
export interface RemoteMongo {
  mongo: typeof import('@sat/store-mongo');
  target: MongoMigrationTarget;
  /** The redacted location (`mongodb://ana@host/sat`). */
  location: string;
}

/**
 * Refuses a MongoDB that is not on this machine in local-only mode (`LOCAL_ONLY`, before any
 * connection), then loads `@sat/store-mongo` (its absence says `npm i @sat/store-mongo`) and connects to the
 * database: an unreachable server fails with `TARGET_UNAVAILABLE`, bad credentials with
 * `TARGET_ERROR`, both naming the URL without its password.
 *
 * @example
 * const remote = await contactRemoteStore({ url, database: 'sat' }, {}, config);
 * const inspection = await remote.target.inspect();
 */
export async function contactRemoteStore(
  settings: { url: string; database: string },
  hooks: Pick<MigrateHooks, 'importMongo'>,
  config: Pick<SatConfig, 'privacy' | 'sources'>,
): Promise<RemoteMongo> {
  assertMongoAllowed(config, settings.url, "'sat migrate'");
  const mongo = await loadAdapter(
    '@sat/store-mongo',
    "'sat migrate' to or from MongoDB",
    hooks.importMongo ?? (() => import('@sat/store-mongo')),
  );
  const target = await mongo.openMongoMigrationTarget(settings);
  return { mongo, target, location: target.location };
}
