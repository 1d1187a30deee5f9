import type { MigrateRequest, StoreKind } from './migrate-types.js';

/** The variables that override what a migration writes into the config. */
const OVERRIDES = [
  { variable: 'SAT_STORE', key: 'store.kind' },
  { variable: 'SAT_MONGO_URL', key: 'store.mongo.url' },
  { variable: 'SAT_MONGO_DATABASE', key: 'store.mongo.database' },
] as const;

/**
 * Notes on variables of `env` that would override what the migration just wrote into the config
 * (`SAT_STORE=mongo` after `--to sqlite`, a `SAT_MONGO_URL` other than `--url`), so that the user
 * does not stay on the old store without noticing. Values are named, never shown.
 *
 * @example
 * envOverrides({ SAT_STORE: 'mongo' }, { to: 'sqlite', dryRun: false, json: false }) // ['SAT_STORE is set ...']
 */
export function envOverrides(env: NodeJS.ProcessEnv, request: MigrateRequest): string[] {
  const written: Record<string, string | undefined> = {
    'store.kind': request.to satisfies StoreKind,
    'store.mongo.url': request.url,
    'store.mongo.database': request.database,
  };
  return OVERRIDES.filter(({ variable, key }) => {
    const value = env[variable];
    return value !== undefined && value !== '' && written[key] !== undefined && value !== written[key];
  }).map(
    ({ variable, key }) =>
      `${variable} is set in the environment and overrides ${key} written to the config: unset it (or give it the new value) for the switch to take effect`,
  );
}
