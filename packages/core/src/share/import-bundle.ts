import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedBy } from '../backup/backup-manifest.js';
import { workFolderName } from '../backup/work-leftovers.js';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { type ReadIssue, readSessionEvents } from '../log/event-reader.js';
import { EventWriter } from '../log/event-writer.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { isPurged, removeTombstone } from '../log/tombstones.js';
import { bundleEvents, type OpenedBundle, openBundleFile } from './bundle-file.js';
import { keepConflicts } from './conflicts-file.js';
import { derivedSessionId, planMerge, reusedSessionId } from './merge-plan.js';

/** Whose a bundle without a sharer (a plain backup bundle) is said to be. */
export const UNKNOWN_SHARER = 'unknown';

/** Options of {@link importBundle}. */
export interface ImportBundleOptions {
  /** Import a session that was purged here (and remove its tombstone). Default false: skip it. */
  includePurged?: boolean;
}

/** What a bundle holds, as `sat import` shows it before merging. */
export interface BundleSummary {
  file: string;
  id: string;
  format: string;
  session: string;
  /** Who shared it, from where and when (absent for a plain backup bundle). */
  shared?: SharedBy;
  events: number;
  bytes: number;
  sha256: string;
}

/** One conflict found by an import: the local version stays, the foreign one is in `file`. */
export interface ImportConflict {
  id: string;
  type: string;
  file: string;
}

/** What {@link importBundle} did. */
export interface BundleImportResult {
  bundle: BundleSummary;
  /** The local session the events went to (a derived id when the bundle's id is used here by another session). */
  session: string;
  /** Set when the bundle's session id is used here by a different session: its id, which the import did not touch. */
  reusedSessionId?: string;
  /** `imported`: events appended; `unchanged`: nothing new; `purged`: skipped, the session was purged here. */
  status: 'imported' | 'unchanged' | 'purged';
  appended: number;
  /** Events the session already held, the same. */
  alreadyPresent: number;
  conflicts: ImportConflict[];
  /** Bad lines of the bundle's log, skipped. */
  issues: string[];
}

async function localEvents(config: SatConfig, session: string): Promise<Map<string, AnySatEvent>> {
  const held = new Map<string, AnySatEvent>();
  for await (const event of readSessionEvents(config.paths.logs, session, { quarantine: false }))
    if (!held.has(event.id)) held.set(event.id, event);
  return held;
}

function summary(opened: OpenedBundle, events: number): BundleSummary {
  const { manifest } = opened;
  const out: BundleSummary = {
    file: opened.file,
    id: opened.id,
    format: manifest.format,
    session: manifest.session,
    events,
    bytes: opened.bytes,
    sha256: opened.sha256,
  };
  if (manifest.shared) out.shared = manifest.shared;
  return out;
}

async function appendAll(config: SatConfig, session: string, events: readonly AnySatEvent[]): Promise<void> {
  if (events.length === 0) return;
  const files = sessionLogFiles(config.paths.logs, session);
  if (existsSync(files.compressed))
    throw new SatError(
      'SESSION_CLOSED',
      `[core] cannot merge ${events.length} event(s) into session ${session}: its log is closed (compressed at ${files.compressed}) and a closed log is never rewritten; nothing was imported`,
      { details: { session } },
    );
  const writer = new EventWriter({ logsDir: config.paths.logs, ...config.writer });
  try {
    for (const e of events) {
      const { type, data, agent, ts, id, meta } = e;
      writer.append({ type, session, data, agent, ts, id, meta, ...(e.parent ? { parent: e.parent } : {}) });
    }
    await writer.flush();
  } finally {
    await writer.close();
  }
}

/**
 * Imports a bundle file (`sat share`'s, or a backup bundle) into the local history: checks it
 * with `openBundleFile` (nothing is written when it fails), skips a session purged here unless
 * `includePurged`, and merges its events by id into the session (see `planMerge`): new events are
 * appended with new local seqs and `meta.origin`, the same ones skipped, conflicting ones kept in
 * `<logs>/conflicts/<session>.jsonl` with the local version left in the log. A session id used here
 * by a different session (`reusedSessionId`) is imported under `derivedSessionId`. Importing the
 * same bundle again changes nothing.
 *
 * @example
 * const { status, appended, conflicts } = await importBundle(config, 'b1f2.sat.tgz');
 */
export async function importBundle(
  config: SatConfig,
  file: string,
  options: ImportBundleOptions = {},
): Promise<BundleImportResult> {
  const workDir = join(config.paths.state, '.restore-work', workFolderName());
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  try {
    const opened = await openBundleFile(config, file, workDir);
    const issues: string[] = [];
    const foreign = await bundleEvents(opened, (issue: ReadIssue) => issues.push(issue.message));
    const original = opened.manifest.session;
    const result: BundleImportResult = {
      bundle: summary(opened, foreign.length),
      session: original,
      status: 'unchanged',
      appended: 0,
      alreadyPresent: 0,
      conflicts: [],
      issues,
    };
    const purged = isPurged(config.paths.logs, original);
    if (purged && !options.includePurged) return { ...result, status: 'purged' };
    // Two imports of one session at once would both see an event as new: they take turns.
    const lock = new FileLock(join(config.paths.state, `import-${original}.lock`), {
      timeoutMs: Math.max(config.writer.lockTimeoutMs, 60_000),
    });
    await lock.acquire();
    try {
      return await merge(config, opened, foreign, result, purged);
    } finally {
      lock.release();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The merge itself, under the session's import lock: decided from the log as it is now, then written. */
async function merge(
  config: SatConfig,
  opened: OpenedBundle,
  foreign: AnySatEvent[],
  result: BundleImportResult,
  purged: boolean,
): Promise<BundleImportResult> {
  const original = opened.manifest.session;
  let local = await localEvents(config, original);
  if (reusedSessionId(foreign, local)) {
    result.reusedSessionId = original;
    result.session = derivedSessionId(original, foreign);
    local = await localEvents(config, result.session);
  }
  const shared = opened.manifest.shared;
  const origin = {
    user: shared?.user ?? UNKNOWN_SHARER,
    machine: shared?.machine ?? UNKNOWN_SHARER,
    bundle: opened.id,
  };
  const plan = planMerge(foreign, local, origin);
  await appendAll(config, result.session, plan.append);
  if (purged) removeTombstone(config.paths.logs, original);
  const detectedAt = new Date().toISOString();
  const kept = keepConflicts(
    config.paths.logs,
    result.session,
    plan.conflicts.map((c) => ({
      id: c.id,
      session: result.session,
      ...origin,
      detectedAt,
      event: c.foreign,
    })),
  );
  result.conflicts = plan.conflicts.map((c) => ({ id: c.id, type: c.type, file: kept.file }));
  result.appended = plan.append.length;
  result.alreadyPresent = plan.same;
  if (plan.append.length > 0) result.status = 'imported';
  return result;
}
