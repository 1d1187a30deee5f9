import { SatError } from '../errors.js';
import type { SatConfig } from './config-schema.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Whether a MongoDB connection string names this machine only: every host is `localhost`,
 * `127.0.0.1`, `::1` or a unix socket (`%2Ftmp%2Fmongodb-27017.sock`). `mongodb+srv://` is always
 * remote (its hosts come from DNS). Pure.
 *
 * @example
 * isLocalMongoUrl('mongodb://127.0.0.1:27017/sat'); // true
 * isLocalMongoUrl('mongodb+srv://team.example.net/'); // false
 */
export function isLocalMongoUrl(url: string): boolean {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?]*)/.exec(url.trim());
  if (!match?.[1]) return false;
  return match[1].split(',').every((entry) => {
    const host = decodeURIComponent(entry);
    if (host.startsWith('/') && host.endsWith('.sock')) return true;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    return LOCAL_HOSTS.has(name.toLowerCase());
  });
}

/**
 * Throws `LOCAL_ONLY` when `privacy.localOnly` is on: the one refusal every command that would
 * contact a cloud target (Drive, S3, a remote MongoDB) calls before it opens anything. `what` is
 * the action, as the user would say it ("back up to Google Drive"). Does nothing when the mode is
 * off (the default).
 *
 * @example
 * assertCloudAllowed(config, 'back up to Google Drive');
 */
export function assertCloudAllowed(config: Pick<SatConfig, 'privacy' | 'sources'>, what: string): void {
  if (!config.privacy.localOnly) return;
  const source = config.sources['privacy.localOnly'];
  const where =
    source === 'env:SAT_LOCAL_ONLY'
      ? 'SAT_LOCAL_ONLY=1 in the environment'
      : 'privacy.localOnly is true in sat.config.json';
  const fix =
    source === 'env:SAT_LOCAL_ONLY'
      ? 'unset SAT_LOCAL_ONLY'
      : 'set "privacy": { "localOnly": false } in sat.config.json';
  throw new SatError(
    'LOCAL_ONLY',
    `[core] refused to ${what}: local-only mode is on (${where}), so no cloud target is contacted (to allow it, ${fix})`,
    { details: { what, setting: 'privacy.localOnly' } },
  );
}

/**
 * Throws `LOCAL_ONLY` (see {@link assertCloudAllowed}) when local-only mode is on and `url` is a
 * MongoDB that is not on this machine (see {@link isLocalMongoUrl}); a local one is allowed.
 *
 * @example
 * assertMongoAllowed(config, config.store.mongo.url, 'open the MongoDB analytics store');
 */
export function assertMongoAllowed(
  config: Pick<SatConfig, 'privacy' | 'sources'>,
  url: string | undefined,
  what: string,
): void {
  if (url !== undefined && isLocalMongoUrl(url)) return;
  assertCloudAllowed(config, `${what} (a MongoDB that is not on this machine)`);
}
