import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { defaultTranscriptRoot } from '../claude-code/transcript-discovery.js';
import type { SatConfig } from '../config/config-schema.js';
import { tombstonesDir } from '../log/tombstones.js';
import { scrubJson } from './json-scrub.js';

/**
 * What a purge does with a file: `delete` it (it is the session's own: its log, snapshot, raw
 * payloads, handoff, backup, a review or payload that names it), `scrub` it (a shared cache: the
 * entries that name the session are removed, the rest kept), or `rebuild` it (the SQLite
 * analytics database: deleted, then rebuilt from the logs that are left).
 */
export type FootprintAction = 'delete' | 'scrub' | 'rebuild';

/** One file under the data root (or the local backup folder) that a session reaches. */
export interface FootprintItem {
  path: string;
  action: FootprintAction;
  /** The sessions (of those asked about) it belongs to or mentions. */
  sessions: string[];
  bytes: number;
}

/** The purge queue of targets that could not be reached: kept out of every footprint (it must survive). */
export const PURGE_QUEUE_FILE = 'purge-queue.json';

/** Files never read for mentions: other sessions' logs and bundles (compressed or their own). */
const OPAQUE = /\.(gz|tgz|zst|db|db-wal|db-shm|db-journal|sqlite)$/;
const LOG_FILE = /\.(jsonl|jsonl\.gz|meta\.json|backup\.json)$/;
/** Larger text files are still read, in 1 MiB pieces, for a mention. */
const CHUNK = 1024 * 1024;

/** The folders a session's data can be in: the data root, every configured folder and the local backup folder. */
export function footprintFolders(config: Pick<SatConfig, 'root' | 'paths' | 'backup'>): string[] {
  const all = [config.root, ...Object.values(config.paths), config.backup.dir];
  return all.filter(
    (dir, i) =>
      all.indexOf(dir) === i &&
      !all.some((other) => other !== dir && isInside(dir, other)) &&
      existsSync(dir),
  );
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

function walk(dir: string, skip: ReadonlySet<string>, out: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (skip.has(path)) continue;
    if (entry.isDirectory()) walk(path, skip, out);
    else if (entry.isFile()) out.push(path);
  }
}

function fileMentions(path: string, ids: readonly string[]): boolean {
  const size = statSync(path).size;
  if (size <= CHUNK) return ids.some((id) => readFileSync(path, 'latin1').includes(id));
  const overlap = Math.max(...ids.map((id) => id.length));
  const buffer = Buffer.alloc(CHUNK + overlap);
  const fd = openSync(path, 'r');
  try {
    let tail = '';
    for (let pos = 0; pos < size; pos += CHUNK) {
      const read = readSync(fd, buffer, 0, CHUNK, pos);
      const text = tail + buffer.toString('latin1', 0, read);
      if (ids.some((id) => text.includes(id))) return true;
      tail = text.slice(-overlap);
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Text files kept line by line: the lines that name a session go, the others stay. */
const LINE_FILE = /\.(jsonl|log|ndjson)$/;

/** What to do with a file that mentions `ids` in its content (not its name). */
function contentAction(path: string, ids: readonly string[]): FootprintAction {
  if (LINE_FILE.test(path)) return 'scrub';
  if (!path.endsWith('.json')) return 'delete';
  try {
    return scrubJson(JSON.parse(readFileSync(path, 'utf8')), ids).kind === 'owned' ? 'delete' : 'scrub';
  } catch {
    return 'delete'; // not JSON after all: it cannot be scrubbed, and it names the session
  }
}

/**
 * Every file a purge of `sessions` must touch: the one list, found by walking the data root, every
 * configured folder and the local backup folder (so a new cache cannot be forgotten). A file whose
 * path names a session is deleted (logs, raw payloads, snapshots, digests, handoffs, summaries,
 * local backups, queued bundles, locks); any other file whose content names one is deleted when
 * it is the session's as a whole (a hook payload, a review, a text file) or scrubbed when it is a
 * shared JSON cache (`session-usage.json`, `alert-scans.json`, `import-state.json`, the spool and
 * backup queue state...); `JSONL` files lose the lines that name it. The SQLite database is always
 * listed to `rebuild`. Never listed: tombstones, credentials, the purge queue, Claude Code's
 * transcript folders, other sessions' logs and compressed files. Reads, changes nothing.
 *
 * @example
 * for (const item of sessionFootprint(config, ['b1f2...'])) console.log(item.action, item.path);
 */
export function sessionFootprint(
  config: Pick<SatConfig, 'root' | 'paths' | 'backup' | 'capture'>,
  sessions: readonly string[],
): FootprintItem[] {
  const skip = new Set([
    tombstonesDir(config.paths.logs),
    config.paths.credentials,
    join(config.paths.state, PURGE_QUEUE_FILE),
    // Claude Code's own transcripts are its data, not sat's: never deleted, even under the data root.
    defaultTranscriptRoot(),
    ...config.capture.transcriptRoots,
  ]);
  const files: string[] = [];
  for (const dir of footprintFolders(config)) walk(dir, skip, files);
  const items: FootprintItem[] = [];
  for (const path of files) {
    const rel = relative(config.root, path);
    const named = sessions.filter((id) => rel.includes(id));
    const bytes = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    if (named.length > 0) {
      items.push({ path, action: 'delete', sessions: named, bytes });
      continue;
    }
    const name = basename(path);
    if (/^sat\.db(-wal|-shm|-journal)?$/.test(name)) {
      items.push({ path, action: 'rebuild', sessions: [...sessions], bytes });
      continue;
    }
    if (OPAQUE.test(name) || (path.startsWith(config.paths.logs) && LOG_FILE.test(name))) continue;
    const mentioned = sessions.filter((id) => fileMentions(path, [id]));
    if (mentioned.length === 0) continue;
    items.push({ path, action: contentAction(path, mentioned), sessions: mentioned, bytes });
  }
  return items.sort((a, b) => a.path.localeCompare(b.path));
}
