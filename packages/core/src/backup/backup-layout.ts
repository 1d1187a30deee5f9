import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { isValidSessionId } from '../ids.js';

/** The folder every backup goes under on a target. */
export const BACKUP_ROOT = 'SubAgentTracking';
/** Name of a session's bundle on the target. */
export const BUNDLE_NAME = 'bundle.tar.gz';
/** Name of a session's manifest on the target (and of the manifest inside the bundle). */
export const MANIFEST_NAME = 'manifest.json';

/** A phase as it appears in keys: `Phase_<phase>`, with anything but `A-Z a-z 0-9 . _ -` replaced by `_`. */
export function phaseSegment(phase: string | number): string {
  const text = String(phase).trim() || '0';
  return `Phase_${text
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 64)}`;
}

/**
 * The folder (key prefix, ending in `/`) of one session's backup:
 * `SubAgentTracking/Phase_<N>/sessions/<session>/`.
 *
 * @example
 * backupPrefix(2, 's1'); // 'SubAgentTracking/Phase_2/sessions/s1/'
 */
export function backupPrefix(phase: string | number, session: string): string {
  return `${BACKUP_ROOT}/${phaseSegment(phase)}/sessions/${session}/`;
}

/** What a backup key names: its phase folder, its session and the file (`bundle.tar.gz`, `manifest.json`). */
export interface ParsedBackupKey {
  /** The phase as written in the key (after `Phase_`). */
  phase: string;
  session: string;
  file: string;
}

/** Splits a key of the backup layout; undefined for any other key. */
export function parseBackupKey(key: string): ParsedBackupKey | undefined {
  const match = /^SubAgentTracking\/Phase_([^/]+)\/sessions\/([^/]+)\/([^/]+)$/.exec(key);
  if (!match || !isValidSessionId(match[2]!)) return undefined;
  return { phase: match[1]!, session: match[2]!, file: match[3]! };
}

/** What a file in a bundle is. */
export type BundleFileKind = 'log' | 'log-meta' | 'raw' | 'snapshot' | 'handoff' | 'database';

const SAFE_NAME = /^[^/\\\0]+$/;
const HANDOFF_STAMP = /^\d{4}-\d{2}-\d{2}T[0-9-]+Z$/;

/**
 * Whether the handoff file `name` belongs to `session`: `latest-<session>.md`, or
 * `<session>-<timestamp>.md` as `createHandoff` names them. No other file of `handoffs/` is a
 * session's, so a bundle can never bring in another session's handoff.
 *
 * @example
 * sessionOwnsHandoff('latest-s1.md', 's1'); // true
 * sessionOwnsHandoff('latest-s2.md', 's1'); // false
 */
export function sessionOwnsHandoff(name: string, session: string): boolean {
  if (name === `latest-${session}.md`) return true;
  const prefix = `${session}-`;
  return name.startsWith(prefix) && name.endsWith('.md') && HANDOFF_STAMP.test(name.slice(prefix.length, -3));
}

function bundleError(path: string, reason: string): SatError {
  return new SatError(
    'INVALID_BUNDLE',
    `[core] backup bundle entry ${JSON.stringify(path)} refused: ${reason}`,
    {
      details: { path },
    },
  );
}

/**
 * Where a file of a bundle goes on this machine, and what kind of file it is. Throws
 * `INVALID_BUNDLE` for any path outside the bundle layout (so a crafted manifest or tar cannot
 * name a file elsewhere):
 *
 * - `logs/<session>.jsonl.gz`, `logs/<session>.meta.json`, `logs/<session>.jsonl` → `paths.logs`
 * - `logs/raw/<session>.jsonl` → `<paths.logs>/raw/`
 * - `snapshots/<path>` → `<paths.state>/snapshots/<session>/<path>`
 * - `handoffs/latest-<session>.md`, `handoffs/<session>-<timestamp>.md` → `paths.handoffs`
 * - `analytics/sat.db` → `paths.analytics`
 */
export function localPathOf(
  config: Pick<SatConfig, 'paths'>,
  session: string,
  path: string,
): { file: string; kind: BundleFileKind } {
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || !SAFE_NAME.test(s)))
    throw bundleError(path, 'not a plain relative path');
  const [top, ...rest] = segments;
  const name = rest.join('/');
  if (top === 'logs') {
    if (name === `${session}.jsonl.gz` || name === `${session}.jsonl`)
      return { file: join(config.paths.logs, name), kind: 'log' };
    if (name === `${session}.meta.json`) return { file: join(config.paths.logs, name), kind: 'log-meta' };
    if (name === `raw/${session}.jsonl`)
      return { file: join(config.paths.logs, 'raw', `${session}.jsonl`), kind: 'raw' };
  } else if (top === 'snapshots' && rest.length > 0) {
    return { file: join(config.paths.state, 'snapshots', session, ...rest), kind: 'snapshot' };
  } else if (top === 'handoffs' && rest.length === 1 && sessionOwnsHandoff(name, session)) {
    return { file: join(config.paths.handoffs, name), kind: 'handoff' };
  } else if (top === 'analytics' && name === 'sat.db') {
    return { file: join(config.paths.analytics, 'sat.db'), kind: 'database' };
  }
  throw bundleError(path, `not a file a backup of session ${session} holds`);
}
