import type { CliContext } from '../context.js';
import type { MigrateHooks, MigrateRequest, MigrateResult } from './migrate-types.js';
import { migrateToMongo } from './to-mongo.js';
import { migrateToSqlite } from './to-sqlite.js';

/**
 * Moves the analytics store to `request.to`: fills it from the log, verifies it against the
 * current store, then writes `store.kind` into the config, or rolls back (`ok: false`, with the
 * differences or the error). A dry run returns the plan and writes nothing. Throws (`CONFLICT`,
 * `TARGET_UNAVAILABLE`, a usage error) when it cannot start; nothing is written then.
 *
 * @example
 * const result = await migrateStore(ctx, { to: 'mongo', url, dryRun: false, json: true }, {});
 * if (!result.ok) console.error(result.differences);
 */
export function migrateStore(
  ctx: CliContext,
  request: MigrateRequest,
  hooks: MigrateHooks = {},
): Promise<MigrateResult> {
  return request.to === 'mongo' ? migrateToMongo(ctx, request, hooks) : migrateToSqlite(ctx, request, hooks);
}
