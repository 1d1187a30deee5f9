import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError } from '../errors.js';
import { isObject } from '../guards.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { listSessionIds, readSessionEvents } from '../log/event-reader.js';
import { type LogIdentity, sameLogIdentity, sessionLogIdentity } from '../log/log-memo.js';
import { DIGEST_VERSION, digestSession, type SessionDigest } from './session-digest.js';

/**
 * The digest cache of a data root: `<paths.state>/digests`, kept warm by the capture pipeline
 * (each session's digest once its log is closed) and read by reviews and alerts.
 *
 * @example
 * await readSessionDigests(config.paths.logs, { cacheDir: digestCacheDir(config) });
 */
export function digestCacheDir(config: { paths: { state: string } }): string {
  return join(config.paths.state, 'digests');
}

/** Options of {@link readSessionDigests}. */
export interface ReadDigestsOptions {
  /**
   * A folder of cached digests (one JSON file per session, keyed by the log file's size, mtime and
   * {@link DIGEST_VERSION}). Without it every log is read.
   */
  cacheDir?: string;
  /** Only these sessions (default: every session of the log folder). */
  sessions?: readonly string[];
}

/** Result of {@link refreshDigestCache}. */
export interface RefreshDigestCacheResult {
  /** Sessions whose digest was read from the log and cached now. */
  refreshed: number;
  /** Sessions whose cached digest was still current. */
  reused: number;
  /** Sessions whose digest could not be cached (the digest itself was still read), with why. */
  failed: Array<{ session: string; message: string }>;
}

interface CacheEntry extends LogIdentity {
  version: number;
  digest: SessionDigest | null;
}

function cachedEntry(path: string, identity: LogIdentity): CacheEntry | undefined {
  try {
    const entry: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isObject(entry) || entry.version !== DIGEST_VERSION) return undefined;
    const stored = { file: entry.file, size: entry.size, mtimeMs: entry.mtimeMs } as LogIdentity;
    return sameLogIdentity(stored, identity) && (entry.digest === null || isObject(entry.digest))
      ? (entry as unknown as CacheEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

function ensureFolder(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

type Outcome = { digest: SessionDigest | undefined; reused: boolean; failure?: string };

async function digestOf(logsDir: string, session: string, cacheDir: string | undefined): Promise<Outcome> {
  const identity = cacheDir ? sessionLogIdentity(logsDir, session) : undefined;
  if (!cacheDir || !identity)
    return { digest: await digestSession(readSessionEvents(logsDir, session)), reused: false };
  const path = join(cacheDir, `${session}.json`);
  const cached = cachedEntry(path, identity);
  if (cached) return { digest: cached.digest ?? undefined, reused: true };
  const digest = await digestSession(readSessionEvents(logsDir, session));
  const entry: CacheEntry = { version: DIGEST_VERSION, ...identity, digest: digest ?? null };
  try {
    ensureFolder(cacheDir);
    writeFileAtomic(path, JSON.stringify(entry));
    return { digest, reused: false };
  } catch (error) {
    return {
      digest,
      reused: false,
      failure: `[core] cannot cache the digest of ${session} in ${path}: ${describeSystemError(error)}`,
    };
  }
}

/**
 * Reads every session of a log folder (or the ones named) into {@link SessionDigest}s, oldest
 * first. With `cacheDir`, a session whose log file (size, mtime) is unchanged since its digest was
 * cached is not read again; a missing, corrupt or stale cache file is ignored and rewritten
 * (atomically, mode 0600, folder 0700), and a cache that cannot be written never fails the read.
 *
 * @example
 * const digests = await readSessionDigests('.claude/logs', { cacheDir: '.claude/analytics/digests' });
 */
export async function readSessionDigests(
  logsDir: string,
  options: ReadDigestsOptions | readonly string[] = {},
): Promise<SessionDigest[]> {
  const { cacheDir, sessions } = Array.isArray(options)
    ? { cacheDir: undefined, sessions: options as readonly string[] }
    : (options as ReadDigestsOptions);
  const out: SessionDigest[] = [];
  for (const session of sessions ?? listSessionIds(logsDir)) {
    const { digest } = await digestOf(logsDir, session, cacheDir);
    if (digest) out.push(digest);
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || a.session.localeCompare(b.session));
}

/**
 * Brings the digest cache of a log folder up to date (every session, or the ones named): what the
 * pipeline calls after an ingest so that the next review reads no log. Failures to write are
 * listed, never thrown.
 *
 * @example
 * const { refreshed, reused } = await refreshDigestCache('.claude/logs', '.claude/analytics/digests');
 */
export async function refreshDigestCache(
  logsDir: string,
  cacheDir: string,
  sessions?: readonly string[],
): Promise<RefreshDigestCacheResult> {
  const result: RefreshDigestCacheResult = { refreshed: 0, reused: 0, failed: [] };
  for (const session of sessions ?? listSessionIds(logsDir)) {
    const outcome = await digestOf(logsDir, session, cacheDir);
    if (outcome.failure) result.failed.push({ session, message: outcome.failure });
    else if (outcome.reused) result.reused++;
    else result.refreshed++;
  }
  return result;
}
