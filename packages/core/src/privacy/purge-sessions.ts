import { readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { isValidSessionId } from '../ids.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { type Tombstone, writeTombstone } from '../log/tombstones.js';
import { LocalDirectoryTarget } from '../storage/local-directory-target.js';
import { scrubJson } from './json-scrub.js';
import { type PurgeTarget, type PurgeTargetResult, purgeOnTarget } from './purge-targets.js';
import { type FootprintItem, sessionFootprint } from './session-footprint.js';

/** Options of {@link purgeSessions}. */
export interface PurgeOptions {
  /**
   * The configured remote targets (Drive, S3, GridFS) to delete the sessions' backups from. The
   * local backup folder (`backup.dir`) is always included. Default none.
   */
  targets?: readonly PurgeTarget[];
  /** List what would go, change nothing. Default false. */
  dryRun?: boolean;
  /** The purge time written in the tombstones. Default now. */
  now?: Date;
}

/** What {@link purgeSessions} did (or, with `dryRun`, would do). */
export interface PurgeResult {
  sessions: string[];
  dryRun: boolean;
  /** Every file deleted, scrubbed or set to be rebuilt (see `sessionFootprint`). */
  files: FootprintItem[];
  /** Bytes of the files deleted. */
  bytes: number;
  /** Each backup target, local folder first: what was deleted there, or why it was not reached. */
  targets: PurgeTargetResult[];
  /** True when the analytics store must be rebuilt from the remaining logs (its file was deleted). */
  rebuildStore: boolean;
  tombstones: Tombstone[];
  /** What could not be done; the rest went on. */
  warnings: string[];
}

/** A file's own JSON style: indented when it was. */
function rewriteJson(path: string, text: string, value: unknown): void {
  const indented = /^[[{]\r?\n\s/.test(text);
  writeFileAtomic(path, `${JSON.stringify(value, null, indented ? 2 : undefined)}\n`);
}

/** Removes the entries that name `ids` from one shared cache (a JSON file, or a file of lines). */
function scrubFile(path: string, ids: readonly string[]): void {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.json')) {
    const kept = text.split('\n').filter((line) => !ids.some((id) => line.includes(id)));
    writeFileAtomic(path, kept.join('\n'));
    return;
  }
  const outcome = scrubJson(JSON.parse(text), ids);
  if (outcome.kind === 'owned') rmSync(path, { force: true });
  else if (outcome.kind === 'scrubbed') rewriteJson(path, text, outcome.value);
}

/** Removes the now empty folders named after a session (a snapshot folder, a backup's folder). */
function pruneFolders(path: string, ids: readonly string[], root: string): void {
  let dir = dirname(path);
  while (ids.some((id) => basename(dir).includes(id)) && relative(root, dir) !== '') {
    try {
      if (readdirSync(dir).length > 0) return;
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

function applyFootprint(config: SatConfig, items: readonly FootprintItem[], warnings: string[]): void {
  for (const item of items) {
    try {
      if (item.action === 'scrub') scrubFile(item.path, item.sessions);
      else rmSync(item.path, { force: true });
      if (item.action === 'delete') pruneFolders(item.path, item.sessions, config.root);
    } catch (error) {
      warnings.push(`${item.path}: ${(error as Error).message}`);
    }
  }
}

/**
 * Purges sessions: writes each one's tombstone (so no import or hook ingest brings it back), then
 * deletes its backups on the local backup folder and on every target given (an unreachable one
 * is named and queued for the next purge), then deletes or scrubs every file of the data root
 * that reaches it (`sessionFootprint`: logs, raw payloads, spool leftovers, snapshots, handoffs,
 * digests, usage and alert caches, reviews) and deletes the SQLite database, which the caller
 * rebuilds from the remaining logs (`rebuildStore`). With `dryRun`, lists all that and changes
 * nothing. Throws `INVALID_SESSION_ID` for an id that is not one.
 *
 * @example
 * const result = await purgeSessions(config, ['b1f2...'], { targets: [] });
 * if (result.rebuildStore) await store.rebuild();
 */
export async function purgeSessions(
  config: SatConfig,
  sessions: readonly string[],
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  for (const session of sessions)
    if (!isValidSessionId(session))
      throw new SatError(
        'INVALID_SESSION_ID',
        `[core] cannot purge ${JSON.stringify(session)}: not a session id`,
        {
          details: { session },
        },
      );
  const dryRun = options.dryRun === true;
  const ids = [...new Set(sessions)].sort();
  const result: PurgeResult = {
    sessions: ids,
    dryRun,
    files: [],
    bytes: 0,
    targets: [],
    rebuildStore: false,
    tombstones: [],
    warnings: [],
  };
  if (ids.length === 0) return result;
  if (!dryRun) result.tombstones = ids.map((id) => writeTombstone(config.paths.logs, id, options.now));
  const local: PurgeTarget = {
    name: 'local',
    location: config.backup.dir,
    open: async () => new LocalDirectoryTarget({ dir: config.backup.dir }),
  };
  for (const target of [local, ...(options.targets ?? [])])
    result.targets.push(await purgeOnTarget(config, target, ids, dryRun));
  result.files = sessionFootprint(config, ids);
  result.bytes = result.files.filter((f) => f.action !== 'scrub').reduce((sum, f) => sum + f.bytes, 0);
  result.rebuildStore = result.files.some((f) => f.action === 'rebuild');
  if (!dryRun) applyFootprint(config, result.files, result.warnings);
  return result;
}
