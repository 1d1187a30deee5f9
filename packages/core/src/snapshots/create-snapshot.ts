import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { newId } from '../ids.js';
import type { ReadIssue } from '../log/event-reader.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { appendLifecycleEvent } from '../session-state/lifecycle-events.js';
import { replaySession } from '../session-state/log-replay.js';
import { SESSION_STATE_VERSION, type SessionState } from '../session-state/session-state.js';
import { newTokensOf } from '../session-state/session-summary.js';
import { snapshotFiles } from './snapshot-files.js';
import {
  appendIndexLine,
  checksumOf,
  encodeSnapshot,
  readSnapshotFile,
  readSnapshotIndex,
  removeTempFiles,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  snapshotDir,
  writeSnapshotFile,
} from './snapshot-store.js';
import { snapshotTriggers } from './snapshot-triggers.js';
import type { Snapshot, SnapshotIssue, SnapshotMeta, SnapshotTrigger } from './snapshot-types.js';

/** Options of {@link loadSessionState} and {@link createSnapshot}. */
export interface SessionStateOptions {
  /** Told about corrupt or skipped snapshots. */
  onIssue?: (issue: SnapshotIssue) => void;
  /** Told about unreadable lines of the log (they are skipped). */
  onReadIssue?: (issue: ReadIssue) => void;
}

/** A session's current state, and where it came from. */
export interface LoadedSessionState {
  state: SessionState;
  /** Byte offset in the log after the state's last event. */
  offset?: number;
  /** The snapshot it started from (the latest valid one), if any. */
  snapshot?: Snapshot;
  /** Events replayed after that snapshot (all of them without one). */
  replayed: number;
  /** Problems met, one line each (corrupt snapshots skipped, bad log lines). */
  warnings: string[];
}

function issueCollector(options: SessionStateOptions, warnings: string[]) {
  return {
    onIssue: (issue: SnapshotIssue) => {
      if (issue.kind !== 'orphan-adopted') warnings.push(issue.message);
      options.onIssue?.(issue);
    },
    onReadIssue: (issue: ReadIssue) => {
      if (issue.kind !== 'in-progress-tail')
        warnings.push(`${issue.file} byte ${issue.offset}: ${issue.kind}: ${issue.message}`);
      options.onReadIssue?.(issue);
    },
  };
}

/**
 * The newest snapshot of `metas` (oldest first) that reads back whole, holds a state of the
 * current version and matches its checksum; corrupt ones are reported and skipped.
 */
export function latestValidSnapshot(
  dir: string,
  session: string,
  metas: readonly SnapshotMeta[],
  onIssue?: (issue: SnapshotIssue) => void,
): Snapshot | undefined {
  for (let i = metas.length - 1; i >= 0; i--) {
    const meta = metas[i]!;
    try {
      const snapshot = readSnapshotFile(dir, session, meta.file, meta);
      if (snapshot.state.v !== SESSION_STATE_VERSION) {
        onIssue?.({
          kind: 'stale-version',
          session,
          id: meta.id,
          file: join(dir, meta.file),
          message: `snapshot ${meta.id} holds a state of version ${snapshot.state.v} (current ${SESSION_STATE_VERSION}); the log is replayed instead`,
        });
        continue;
      }
      return snapshot;
    } catch (error) {
      onIssue?.({
        kind: 'corrupt-snapshot',
        session,
        id: meta.id,
        file: join(dir, meta.file),
        message: (error as Error).message,
      });
    }
  }
  return undefined;
}

async function loadFrom(
  config: SatConfig,
  session: string,
  snapshot: Snapshot | undefined,
  warnings: string[],
  onReadIssue: (issue: ReadIssue) => void,
): Promise<LoadedSessionState> {
  const files = sessionLogFiles(config.paths.logs, session);
  const hasLog = existsSync(files.plain) || existsSync(files.compressed);
  if (!hasLog && !snapshot)
    throw new SatError(
      'SESSION_NOT_FOUND',
      `[core] session ${session} has no log in ${config.paths.logs} and no snapshot (see 'sat sessions')`,
      { details: { session } },
    );
  const from = snapshot
    ? {
        // The replay takes its state over: give it a copy, the snapshot stays as read.
        state: structuredClone(snapshot.state),
        ...(snapshot.meta.logOffset !== undefined ? { offset: snapshot.meta.logOffset } : {}),
      }
    : undefined;
  const replay = hasLog
    ? await replaySession(config.paths.logs, session, { ...(from ? { from } : {}), onIssue: onReadIssue })
    : { state: from!.state, replayed: 0, ...(from?.offset !== undefined ? { offset: from.offset } : {}) };
  const loaded: LoadedSessionState = { state: replay.state, replayed: replay.replayed, warnings };
  if (replay.offset !== undefined) loaded.offset = replay.offset;
  if (snapshot) loaded.snapshot = snapshot;
  return loaded;
}

/**
 * A session's current state: its latest valid snapshot's state plus the events logged after it
 * (read from the byte offset the snapshot stored), or a replay of the whole log when there is no
 * usable snapshot. Corrupt snapshots are reported and skipped. Writes nothing.
 *
 * @example
 * const { state, replayed } = await loadSessionState(config, session);
 */
export async function loadSessionState(
  config: SatConfig,
  session: string,
  options: SessionStateOptions = {},
): Promise<LoadedSessionState> {
  const warnings: string[] = [];
  const report = issueCollector(options, warnings);
  const dir = snapshotDir(config.paths.state, session);
  const { metas } = readSnapshotIndex(dir, session, report.onIssue);
  const snapshot = latestValidSnapshot(dir, session, metas, report.onIssue);
  return loadFrom(config, session, snapshot, warnings, report.onReadIssue);
}

/** Options of {@link createSnapshot}. */
export interface CreateSnapshotOptions extends SessionStateOptions {
  /** Why it is taken. Default `manual`. */
  trigger?: SnapshotTrigger;
  /** Write a `snapshot` event into the session's log (skipped once the session has ended). Default true. */
  writeEvent?: boolean;
}

/** What {@link createSnapshot} did. */
export interface CreateSnapshotResult {
  snapshot: SnapshotMeta;
  /** The snapshot file. */
  path: string;
  /** The state it holds. */
  state: SessionState;
  /** The snapshot it was built from incrementally, if any. */
  baseId?: string;
  /** Events replayed on top of that snapshot (all of them without one). */
  replayed: number;
  /** Files that changed since the previous snapshot. */
  changedFiles: string[];
  /** The `snapshot` event written into the log, or why none was. */
  event: { id?: string; skipped?: string };
  /** Problems met (corrupt snapshots skipped, bad log lines). */
  warnings: string[];
  /** Wall time in ms. */
  ms: number;
}

/**
 * Takes a snapshot of a session: its state at its last event, plus the files it changed with
 * their git blob hashes on disk now and, for those changed since the previous snapshot, a diff.
 * Incremental: it starts from the latest valid snapshot and replays only the events logged after
 * it, reading the log from the stored byte offset. The file is written atomically (temporary
 * file, fsync, rename, fsync of the folder), gzip-compressed, and recorded with its SHA-256 in
 * `<paths.state>/snapshots/<session>/index.jsonl`; a crash at any point leaves the previous
 * snapshots intact and never a partial file. One writer per session at a time (a lock file).
 * Then a `snapshot` event goes into the session's log (unless it has ended).
 *
 * Throws `SESSION_NOT_FOUND` for a session with no events.
 *
 * @example
 * const { snapshot } = await createSnapshot(config, session, { trigger: 'manual' });
 * console.log(snapshot.id, snapshot.seq);
 */
export async function createSnapshot(
  config: SatConfig,
  session: string,
  options: CreateSnapshotOptions = {},
): Promise<CreateSnapshotResult> {
  return createSnapshotFrom(config, session, options, undefined);
}

/**
 * {@link createSnapshot} from a state the caller already loaded with {@link loadSessionState}
 * (which it takes over): when no newer snapshot was written meanwhile, only the events logged
 * since are replayed. Not exported from the package.
 */
export async function createSnapshotFrom(
  config: SatConfig,
  session: string,
  options: CreateSnapshotOptions,
  preloaded: LoadedSessionState | undefined,
): Promise<CreateSnapshotResult> {
  const started = performance.now();
  const trigger = options.trigger ?? 'manual';
  const dir = snapshotDir(config.paths.state, session);
  mkdirSync(dir, { recursive: true });
  const lock = new FileLock(join(dir, '.lock'), {
    timeoutMs: config.writer.lockTimeoutMs,
    staleMs: config.writer.staleLockMs,
  });
  await lock.acquire();
  let result: Omit<CreateSnapshotResult, 'event' | 'ms'>;
  try {
    removeTempFiles(dir);
    const warnings: string[] = preloaded ? [...preloaded.warnings] : [];
    const report = issueCollector(options, warnings);
    const { metas, adopted } = readSnapshotIndex(dir, session, report.onIssue);
    for (const meta of adopted) appendIndexLine(dir, meta);
    let loaded: LoadedSessionState;
    const newest = metas[metas.length - 1];
    if (preloaded && preloaded.snapshot?.meta.id === newest?.id) {
      // Nothing newer was written since the caller loaded the state: only catch up on the log.
      const replay = await replaySession(config.paths.logs, session, {
        from: {
          state: preloaded.state,
          ...(preloaded.offset !== undefined ? { offset: preloaded.offset } : {}),
        },
        onIssue: report.onReadIssue,
      });
      loaded = {
        ...preloaded,
        state: replay.state,
        replayed: preloaded.replayed + replay.replayed,
        warnings,
      };
      if (replay.offset !== undefined) loaded.offset = replay.offset;
    } else {
      const snapshot = latestValidSnapshot(dir, session, metas, report.onIssue);
      loaded = await loadFrom(config, session, snapshot, warnings, report.onReadIssue);
    }
    const state = loaded.state;
    if (state.lastSeq === 0)
      throw new SatError(
        'SESSION_NOT_FOUND',
        `[core] session ${session} has no events to snapshot in ${config.paths.logs}`,
        { details: { session } },
      );
    const files = snapshotFiles(state, loaded.snapshot?.files, dir, state.cwd ?? config.projectDir);
    const id = newId();
    const file = `${id}.json.gz`;
    const metaBase: Omit<SnapshotMeta, 'bytes' | 'checksum'> = {
      id,
      session,
      createdAt: new Date().toISOString(),
      trigger,
      seq: state.lastSeq,
      file,
      files: files.map((f) =>
        f.gitHash === undefined
          ? { path: f.path, exists: f.exists }
          : { path: f.path, exists: f.exists, gitHash: f.gitHash },
      ),
      counters: { agentInvocations: state.agents.invocations, tokens: newTokensOf(state) },
      stateVersion: SESSION_STATE_VERSION,
    };
    if (loaded.offset !== undefined) metaBase.logOffset = loaded.offset;
    const bytes = encodeSnapshot({
      format: SNAPSHOT_FORMAT,
      v: SNAPSHOT_FORMAT_VERSION,
      meta: metaBase,
      state,
      files,
    });
    const meta: SnapshotMeta = { ...metaBase, bytes: bytes.length, checksum: checksumOf(bytes) };
    writeSnapshotFile(dir, file, bytes);
    appendIndexLine(dir, meta);
    result = {
      snapshot: meta,
      path: join(dir, file),
      state,
      replayed: loaded.replayed,
      changedFiles: files.filter((f) => f.changed).map((f) => f.path),
      warnings,
    };
    if (loaded.snapshot) result.baseId = loaded.snapshot.meta.id;
  } finally {
    lock.release();
  }
  const event =
    options.writeEvent === false
      ? { skipped: 'not asked for' }
      : await appendLifecycleEvent(config, session, result.state.ended, 'snapshot', {
          snapshot_id: result.snapshot.id,
          trigger,
          at_seq: result.snapshot.seq,
          checksum: result.snapshot.checksum,
        });
  return { ...result, event, ms: performance.now() - started };
}

/** What {@link snapshotIfDue} did. */
export interface SnapshotIfDueResult {
  /** The trigger that was due, if any. */
  trigger?: SnapshotTrigger;
  /** The snapshot taken (when a trigger was due). */
  created?: CreateSnapshotResult;
}

/**
 * Takes a snapshot when one is due ({@link snapshotTriggers}: agent invocations or tokens since the
 * last snapshot, a pre-compact, the session's end), else does nothing. Meant for the hook
 * ingester, after it appended a session's events; cheap when nothing is due (the latest
 * snapshot's state plus the new events).
 *
 * @example
 * const { trigger } = await snapshotIfDue(config, session);
 */
export async function snapshotIfDue(
  config: SatConfig,
  session: string,
  options: Omit<CreateSnapshotOptions, 'trigger'> = {},
): Promise<SnapshotIfDueResult> {
  const loaded = await loadSessionState(config, session, options);
  const trigger = snapshotTriggers(loaded.state, loaded.snapshot?.meta, config);
  if (!trigger) return {};
  return { trigger, created: await createSnapshotFrom(config, session, { ...options, trigger }, loaded) };
}
