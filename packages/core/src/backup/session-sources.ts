import { closeSync, existsSync, openSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { closeSessionLog } from '../log/close-session.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { readSessionMeta, sessionInfo } from '../log/sessions.js';
import { readLogTail } from '../log/tail.js';
import { type BundleFileKind, sessionOwnsHandoff } from './backup-layout.js';

/**
 * Makes a consistent copy of the SQLite analytics database at `destPath` (for instance with
 * better-sqlite3's online backup API: `new Database(sourcePath).backup(destPath)`). Core has no
 * database dependency; the CLI passes one when a SQLite driver is installed.
 */
export type DatabaseBackup = (destPath: string, sourcePath: string) => Promise<void>;

/** One file that goes into a bundle. */
export interface BundleSource {
  /** Its path inside the bundle (`logs/s1.jsonl.gz`). */
  path: string;
  kind: BundleFileKind;
  /** The file to read. */
  file: string;
  /** Read only this many bytes: a consistent prefix of a file that is still growing. */
  bytes?: number;
  /** The time recorded for it (default: the file's modification time). */
  mtime?: Date;
}

/** What {@link collectSessionSources} found for one session. */
export interface SessionSources {
  session: string;
  sources: BundleSource[];
  /** The log that goes into the bundle. Its plain SHA-256 is known in advance only when it is closed. */
  log: { path: string; closed: boolean; sha256?: string; bytes: number; lastSeq: number };
  warnings: string[];
  /** True when the session had ended and was closed (compressed and verified) for this backup. */
  closedNow: boolean;
}

/** Options of {@link collectSessionSources}. */
export interface CollectOptions {
  /** Online backup of the analytics database; without it the database is left out with a warning. */
  databaseBackup?: DatabaseBackup;
  /** A private folder for copies made for the bundle (the database copy). */
  workDir: string;
}

function regularFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * Gathers the files of one session's backup: its log (closed first if it has ended; a
 * consistent prefix, taken under the session lock, if it is still open), its metadata, raw hook
 * payloads, snapshots, handoffs and a consistent copy of the analytics database.
 *
 * @example
 * const found = await collectSessionSources(config, 's1', { workDir });
 */
export async function collectSessionSources(
  config: SatConfig,
  session: string,
  options: CollectOptions,
): Promise<SessionSources> {
  const logsDir = config.paths.logs;
  const files = sessionLogFiles(logsDir, session);
  let info = sessionInfo(logsDir, session);
  if (!info) {
    throw new SatError(
      'SESSION_NOT_FOUND',
      `[core] no log for session ${session} in ${logsDir} (see 'sat sessions'; a session removed by 'sat gc' is restored with 'sat restore ${session}')`,
      { details: { session } },
    );
  }
  let closedNow = false;
  if (info.status === 'ended' || (info.status === 'closed' && !readSessionMeta(files))) {
    const closed = await closeSessionLog(logsDir, session, { lockTimeoutMs: config.writer.lockTimeoutMs });
    closedNow = closed.compressedNow;
    info = sessionInfo(logsDir, session)!;
  }

  const sources: BundleSource[] = [];
  const warnings: string[] = [];
  let log: SessionSources['log'];
  if (info.status === 'closed') {
    const meta = readSessionMeta(files)!;
    sources.push({ path: `logs/${session}.jsonl.gz`, kind: 'log', file: files.compressed });
    sources.push({ path: `logs/${session}.meta.json`, kind: 'log-meta', file: files.meta });
    log = {
      path: `logs/${session}.jsonl.gz`,
      closed: true,
      sha256: meta.sha256,
      bytes: meta.plainBytes,
      lastSeq: meta.lastSeq,
    };
  } else {
    // Writers append whole batches under the session lock: its size, read under that lock, ends
    // on a batch boundary, and the bytes before it never change.
    const lock = new FileLock(files.lock, { timeoutMs: config.writer.lockTimeoutMs });
    const { bytes, lastSeq } = await lock.withLock(() => {
      const size = statSync(files.plain).size;
      const fd = openSync(files.plain, 'r');
      try {
        return { bytes: size, lastSeq: readLogTail(fd, size).lastSeq };
      } finally {
        closeSync(fd);
      }
    });
    sources.push({ path: `logs/${session}.jsonl`, kind: 'log', file: files.plain, bytes });
    log = { path: `logs/${session}.jsonl`, closed: false, bytes, lastSeq };
  }

  const raw = join(logsDir, 'raw', `${session}.jsonl`);
  if (existsSync(raw))
    sources.push({ path: `logs/raw/${session}.jsonl`, kind: 'raw', file: raw, bytes: statSync(raw).size });

  if (existsSync(config.paths.handoffs)) {
    for (const name of readdirSync(config.paths.handoffs).sort()) {
      const file = join(config.paths.handoffs, name);
      if (sessionOwnsHandoff(name, session) && statSync(file).isFile())
        sources.push({ path: `handoffs/${name}`, kind: 'handoff', file });
    }
  }

  const snapshots = join(config.paths.state, 'snapshots', session);
  for (const file of regularFiles(snapshots)) {
    sources.push({
      path: `snapshots/${relative(snapshots, file).split(sep).join('/')}`,
      kind: 'snapshot',
      file,
    });
  }

  const database = join(config.paths.analytics, 'sat.db');
  if (existsSync(database)) {
    if (!options.databaseBackup) {
      warnings.push(
        'analytics database left out: no online backup available (install @sat/store-sqlite); it can be rebuilt from the log',
      );
    } else {
      const copy = join(options.workDir, 'sat.db');
      try {
        await options.databaseBackup(copy, database);
        sources.push({
          path: 'analytics/sat.db',
          kind: 'database',
          file: copy,
          mtime: statSync(database).mtime,
        });
      } catch (error) {
        warnings.push(
          `analytics database left out: its online backup failed (${(error as Error).message}); it can be rebuilt from the log`,
        );
      }
    }
  }
  return { session, sources, log, warnings, closedNow };
}
