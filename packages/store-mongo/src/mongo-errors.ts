/**
 * Maps the driver's failures to core's error codes at this package's boundary. Messages name the
 * package, the action, the location (never the password) and the fix.
 */
import { isSatError, SatError } from '@sat/core';
import { scrubSecrets } from './mongo-url.js';

/** Package tag at the start of every message. */
export const PKG = '[store-mongo]';

/** What the store was doing, for the message. */
export interface MongoErrorContext {
  /** `open`, `write to`, `read`, `rebuild`, `back up to` ... */
  action: string;
  /** The redacted location (`mongodb://ana@host/sat`). */
  location: string;
  /** The connection string, only to scrub its password from the driver's text. */
  url: string;
  /** The database, named in authentication and permission messages. */
  database: string;
  /** The user of the URL, if any. */
  user?: string;
  /** The authentication database (`authSource`, default `admin` for a URL with a user). */
  authSource?: string;
}

interface DriverErrorShape {
  name?: string;
  code?: unknown;
  codeName?: string;
  message?: string;
  errorLabels?: string[];
  cause?: unknown;
}

const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
]);
const AUTH_CODES = new Set([18, 11]);
const PERMISSION_CODES = new Set([13, 8000]);
const TOO_LARGE_CODES = new Set([10334, 17419, 2]);

function isTooLarge(e: DriverErrorShape): boolean {
  if (e.name === 'MongoInvalidArgumentError' || e.name === 'BSONError' || e.name === 'RangeError')
    return /larger than the maximum|too large|exceeds/i.test(e.message ?? '');
  return (
    typeof e.code === 'number' &&
    TOO_LARGE_CODES.has(e.code) &&
    /too large|BSONObjectTooLarge/i.test(`${e.codeName} ${e.message}`)
  );
}

function authFailed(e: DriverErrorShape): boolean {
  if (typeof e.code === 'number' && AUTH_CODES.has(e.code)) return true;
  const cause = e.cause as DriverErrorShape | undefined;
  return (
    e.name === 'MongoServerSelectionError' &&
    cause !== undefined &&
    typeof cause.code === 'number' &&
    AUTH_CODES.has(cause.code)
  );
}

/** True for a failure that means "the server cannot be reached now" (ingest queues and retries). */
export function isUnavailable(error: unknown): boolean {
  const e = error as DriverErrorShape | null;
  if (!e) return false;
  if (UNAVAILABLE_NAMES.has(e.name ?? '') && !authFailed(e)) return true;
  return (e.errorLabels ?? []).includes('ResetPool');
}

/**
 * The `SatError` of a driver failure: unreachable server -> `TARGET_UNAVAILABLE`; authentication
 * failure -> `TARGET_ERROR` naming the user and the database; no permission -> `TARGET_ERROR`;
 * a document over 16 MiB -> `TARGET_ERROR`. A `SatError` passes through; any other error (a bug,
 * not a condition of the server) too, with the password scrubbed from its message.
 *
 * @example
 * try { await collection.insertMany(docs); } catch (e) { throw toMongoSatError(e, context); }
 */
export function toMongoSatError(error: unknown, context: MongoErrorContext): Error {
  if (isSatError(error)) return error;
  const e = (error ?? {}) as DriverErrorShape;
  const reason = scrubSecrets(e.message ?? String(error), context.url);
  const where = `${PKG} cannot ${context.action} ${context.location}`;
  const details = { location: context.location, mongo: { name: e.name, code: e.code, codeName: e.codeName } };
  if (authFailed(e))
    return new SatError(
      'TARGET_ERROR',
      `${where}: authentication failed for user '${context.user ?? '(none)'}' on database '${context.authSource ?? 'admin'}' (check the user name and password in store.mongo.url / SAT_MONGO_URL, and the authSource; Atlas: Database Access)`,
      { details },
    );
  if (isUnavailable(e))
    return new SatError(
      'TARGET_UNAVAILABLE',
      `${where}: the server cannot be reached (${reason}); check the URL, the network access list (Atlas: Network Access) and that the server runs; the events stay in the local log and are ingested on the next run`,
      { details },
    );
  if (typeof e.code === 'number' && PERMISSION_CODES.has(e.code))
    return new SatError(
      'TARGET_ERROR',
      `${where}: user '${context.user ?? '(none)'}' is not allowed to do this on database '${context.database}' (${reason}); grant it readWrite on '${context.database}'`,
      { details },
    );
  if (isTooLarge(e))
    return new SatError(
      'TARGET_ERROR',
      `${where}: a document is larger than MongoDB's 16 MiB limit (${reason}); this is a bug of the store's document layout, please report it`,
      { details },
    );
  if (error instanceof Error && /^Mongo/.test(e.name ?? ''))
    return new SatError('TARGET_ERROR', `${where}: ${reason} (${e.codeName ?? e.name})`, { details });
  if (error instanceof Error) {
    error.message = scrubSecrets(error.message, context.url);
    return error;
  }
  return new Error(reason);
}
