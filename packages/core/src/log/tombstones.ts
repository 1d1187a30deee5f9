import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isValidSessionId } from '../ids.js';
import { writeFileAtomic } from './atomic-file.js';

/** A purged session's tombstone: its id and when it was purged, nothing else. */
export interface Tombstone {
  session: string;
  purgedAt: string;
}

/** The folder of tombstones inside a logs folder (a dot folder: never listed as a session). */
export function tombstonesDir(logsDir: string): string {
  return join(logsDir, '.purged');
}

/**
 * Records that `session` was purged, so that no import (transcripts, hook spool, bundles) brings
 * it back unless asked to. Idempotent: the first purge time is kept.
 *
 * @example
 * writeTombstone(config.paths.logs, 'b1f2', new Date());
 */
export function writeTombstone(logsDir: string, session: string, at: Date = new Date()): Tombstone {
  if (!isValidSessionId(session)) throw new TypeError(`not a session id: ${JSON.stringify(session)}`);
  const existing = readTombstone(logsDir, session);
  if (existing) return existing;
  const tombstone: Tombstone = { session, purgedAt: at.toISOString() };
  mkdirSync(tombstonesDir(logsDir), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(tombstonesDir(logsDir), session), `${JSON.stringify(tombstone)}\n`);
  return tombstone;
}

/** The tombstone of `session`, if it was purged. */
export function readTombstone(logsDir: string, session: string): Tombstone | undefined {
  if (!isValidSessionId(session)) return undefined;
  const file = join(tombstonesDir(logsDir), session);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Tombstone>;
    return { session, purgedAt: typeof parsed.purgedAt === 'string' ? parsed.purgedAt : '' };
  } catch {
    return { session, purgedAt: '' }; // a damaged tombstone still says the session was purged
  }
}

/** True when `session` was purged (it has a tombstone). */
export function isPurged(logsDir: string, session: string): boolean {
  return readTombstone(logsDir, session) !== undefined;
}

/**
 * Every tombstone, oldest purge first; lets a caller check many sessions with one read.
 *
 * @example
 * const purged = new Set(listTombstones(logsDir).map((t) => t.session));
 */
export function listTombstones(logsDir: string): Tombstone[] {
  const dir = tombstonesDir(logsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => isValidSessionId(name))
    .map((name) => readTombstone(logsDir, name))
    .filter((t): t is Tombstone => t !== undefined)
    .sort((a, b) => a.purgedAt.localeCompare(b.purgedAt) || a.session.localeCompare(b.session));
}

/** Removes a tombstone (`--include-purged` brings a session back on purpose). */
export function removeTombstone(logsDir: string, session: string): void {
  if (!isValidSessionId(session)) return;
  rmSync(join(tombstonesDir(logsDir), session), { force: true });
}
