import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import type { AnySatEvent } from '../events/envelope.js';
import { eventSchemas } from '../events/validate.js';
import { createHandoff, type HandoffResult } from '../handoff/create-handoff.js';
import { assertSessionId } from '../ids.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { FileLock, isOwnerAlive } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listSessions, type SessionInfo, sessionInfo } from '../log/sessions.js';
import { readEventsAfter } from '../session-state/log-replay.js';
import type { FileState, SessionState } from '../session-state/session-state.js';
import { type SessionStateSummary, summarizeSessionState } from '../session-state/session-summary.js';
import {
  type CreateSnapshotResult,
  createSnapshotFrom,
  type LoadedSessionState,
  loadSessionState,
  type SessionStateOptions,
} from '../snapshots/create-snapshot.js';
import { listSnapshots } from '../snapshots/snapshot-queries.js';
import type { SnapshotMeta } from '../snapshots/snapshot-types.js';

/** Minutes without an event after which an open session counts as interrupted. */
export const DEFAULT_QUIET_MINUTES = 30;

/** Why a session is offered for recovery. */
export type IncompleteReason = 'quiet' | 'crash-marker' | 'dead-writer';

/** A session that did not end properly. */
export interface IncompleteSession {
  session: string;
  reasons: IncompleteReason[];
  /** One sentence per reason. */
  why: string[];
  info: SessionInfo;
  /** Minutes since its last event (sat's own snapshot and handoff events aside). */
  quietMinutes?: number;
  /** When it was recovered before (it is offered again only when events came after). */
  recoveredBefore?: string;
}

/** Options of {@link findIncompleteSessions}. */
export interface FindIncompleteOptions {
  /** Minutes without an event after which an open session counts as interrupted. Default 30. */
  quietMinutes?: number;
  /** The time to measure quiet against. Default now. */
  now?: Date;
  /** Also list sessions already recovered with no event since. Default false. */
  includeRecovered?: boolean;
}

/** The marker `sat recover` leaves, so a session is not offered again. */
export interface RecoveredMarker {
  session: string;
  recoveredAt: string;
  /** The log's last seq once recovered (events after it make the session incomplete again). */
  lastSeq: number;
  handoff?: string;
  snapshot?: string;
}

/** The marker that says a session's process crashed (see {@link markSessionCrashed}). */
export interface CrashMarker {
  session: string;
  at: string;
  reason?: string;
  pid?: number;
}

function recoveryDir(config: SatConfig): string {
  return join(config.paths.state, 'recovery');
}

function markerPath(config: SatConfig, session: string, kind: 'recovered' | 'crashed'): string {
  assertSessionId(session);
  return join(recoveryDir(config), `${session}.${kind}.json`);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The recovered marker of a session, if any. */
export function readRecoveredMarker(config: SatConfig, session: string): RecoveredMarker | undefined {
  return readJson<RecoveredMarker>(markerPath(config, session, 'recovered'));
}

/**
 * Marks a session as crashed (`<paths.state>/recovery/<session>.crashed.json`): `sat recover`
 * offers it whatever its quiet time. For a supervisor or hook that saw the agent's process die.
 *
 * @example
 * markSessionCrashed(config, session, { reason: 'claude exited with signal SIGKILL' });
 */
export function markSessionCrashed(
  config: SatConfig,
  session: string,
  details: { reason?: string; pid?: number } = {},
): string {
  const file = markerPath(config, session, 'crashed');
  mkdirSync(recoveryDir(config), { recursive: true });
  const marker: CrashMarker = { session, at: new Date().toISOString(), ...details };
  writeFileAtomic(file, `${JSON.stringify(marker, null, 2)}\n`);
  return file;
}

function writerDied(config: SatConfig, session: string): boolean {
  const files = sessionLogFiles(config.paths.logs, session);
  if (!existsSync(files.lock)) return false;
  const owner = new FileLock(files.lock).readOwner();
  return owner !== null && owner !== undefined && !isOwnerAlive(owner);
}

/** Event types sat writes about its own work (a snapshot taken later is no sign of life). */
const BOOKKEEPING: ReadonlySet<string> = new Set(['snapshot', 'handoff', 'backup', 'alert']);

async function lastActivityAt(logsDir: string, session: string): Promise<string | undefined> {
  const events = await readLastEvents(logsDir, session, 20);
  for (let i = events.length - 1; i >= 0; i--) if (!BOOKKEEPING.has(events[i]!.type)) return events[i]!.ts;
  return undefined;
}

/**
 * Sessions that did not end properly: open (no `session_end`), and quiet for at least
 * `quietMinutes` (default 30), or marked as crashed ({@link markSessionCrashed}), or whose log
 * lock was left by a writer that died. A session recovered before is left out unless events
 * were logged after its recovery.
 *
 * @example
 * for (const s of await findIncompleteSessions(config)) console.log(s.session, s.why.join('; '));
 */
export async function findIncompleteSessions(
  config: SatConfig,
  options: FindIncompleteOptions = {},
): Promise<IncompleteSession[]> {
  const quietLimit = options.quietMinutes ?? DEFAULT_QUIET_MINUTES;
  const now = (options.now ?? new Date()).getTime();
  const out: IncompleteSession[] = [];
  for (const info of await listSessions(config.paths.logs)) {
    if (info.status !== 'active') continue;
    const recovered = readRecoveredMarker(config, info.session);
    if (recovered && recovered.lastSeq >= info.events && !options.includeRecovered) continue;
    const reasons: IncompleteReason[] = [];
    const why: string[] = [];
    const lastAt = (await lastActivityAt(config.paths.logs, info.session)) ?? info.lastEventAt;
    const last = lastAt ? Date.parse(lastAt) : Number.NaN;
    const quiet = Number.isNaN(last) ? undefined : Math.max(0, (now - last) / 60_000);
    const crash = readJson<CrashMarker>(markerPath(config, info.session, 'crashed'));
    if (crash) {
      reasons.push('crash-marker');
      why.push(`marked as crashed at ${crash.at}${crash.reason ? `: ${crash.reason}` : ''}`);
    }
    if (writerDied(config, info.session)) {
      reasons.push('dead-writer');
      why.push('its log lock was left by a process that is gone');
    }
    if (quiet !== undefined && quiet >= quietLimit) {
      reasons.push('quiet');
      why.push(`no session_end, and no activity for ${Math.floor(quiet)} minutes`);
    }
    if (reasons.length === 0) continue;
    const entry: IncompleteSession = { session: info.session, reasons, why, info };
    if (quiet !== undefined) entry.quietMinutes = Math.floor(quiet);
    if (recovered) entry.recoveredBefore = recovered.recoveredAt;
    out.push(entry);
  }
  return out;
}

/**
 * The last `count` events of a session: from the end of a plain log (one small read), else by
 * streaming a compressed one.
 */
export async function readLastEvents(
  logsDir: string,
  session: string,
  count: number,
): Promise<AnySatEvent[]> {
  const files = sessionLogFiles(logsDir, session);
  if (count <= 0) return [];
  if (!existsSync(files.compressed) && existsSync(files.plain)) {
    const size = statSync(files.plain).size;
    const fd = openSync(files.plain, 'r');
    try {
      let window = Math.min(size, 64 * 1024);
      for (;;) {
        const buf = Buffer.alloc(window);
        const n = readSync(fd, buf, 0, window, size - window);
        const lines = buf.subarray(0, n).toString('utf8').split('\n');
        if (window < size) lines.shift(); // the first line may be cut
        const events: AnySatEvent[] = [];
        const schemas = eventSchemas();
        for (let i = lines.length - 1; i >= 0 && events.length < count; i--) {
          const line = lines[i]!;
          if (!line.trim()) continue;
          try {
            const event = schemas.readStored(JSON.parse(line));
            if (event.session === session) events.unshift(event);
          } catch {}
        }
        if (events.length >= count || window >= size) return events;
        window = Math.min(size, window * 4);
      }
    } finally {
      closeSync(fd);
    }
  }
  const info = sessionInfo(logsDir, session);
  const out: AnySatEvent[] = [];
  for await (const { event } of readEventsAfter(logsDir, session, {
    afterSeq: Math.max(0, (info?.events ?? 0) - count),
  }))
    out.push(event);
  return out.slice(-count);
}

/** Where an interrupted session stood. */
export interface SessionProgress {
  state: SessionState;
  /** The state as loaded (latest snapshot + replay), for {@link recoverSession} to go on from. */
  loaded: LoadedSessionState;
  summary: SessionStateSummary;
  /** Todo items marked completed, and agent runs that completed. */
  completedTasks: string[];
  /** Todo items still open. */
  openTasks: string[];
  modifiedFiles: FileState[];
  /** The last events of the session's own activity (sat's snapshot and handoff events left out). */
  lastEvents: AnySatEvent[];
  snapshots: SnapshotMeta[];
  warnings: string[];
}

/**
 * What a session did before it stopped: completed and open tasks (todo items, agent runs),
 * modified files, its last events and its snapshots. Writes nothing.
 *
 * @example
 * const progress = await sessionProgress(config, session);
 * console.log(progress.completedTasks, progress.modifiedFiles.map((f) => f.path));
 */
export async function sessionProgress(
  config: SatConfig,
  session: string,
  options: SessionStateOptions & { lastEvents?: number } = {},
): Promise<SessionProgress> {
  const loaded = await loadSessionState(config, session, options);
  const { state } = loaded;
  const warnings = [...loaded.warnings];
  const completedTasks: string[] = [];
  const openTasks: string[] = [];
  for (const [agent, list] of Object.entries(state.todos)) {
    const suffix = agent === 'main' ? '' : ` (${agent})`;
    for (const item of list.items)
      (item.status === 'completed' ? completedTasks : openTasks).push(`${item.content}${suffix}`);
  }
  for (const run of state.agents.recent)
    if (run.status === 'completed')
      completedTasks.push(`agent ${run.agent}${run.reason ? `: ${run.reason}` : ''}`);
  return {
    state,
    loaded,
    summary: summarizeSessionState(state, config.prices),
    completedTasks,
    openTasks,
    modifiedFiles: Object.values(state.files).sort((a, b) => a.lastSeq - b.lastSeq),
    lastEvents: (await readLastEvents(config.paths.logs, session, 20 + (options.lastEvents ?? 5)))
      .filter((e) => !BOOKKEEPING.has(e.type))
      .slice(-(options.lastEvents ?? 5)),
    snapshots: listSnapshots(config, session, { onIssue: (issue) => warnings.push(issue.message) }),
    warnings,
  };
}

/** What {@link recoverSession} did. */
export interface RecoverResult {
  session: string;
  snapshot: CreateSnapshotResult;
  handoff: HandoffResult;
  /** The recovered marker written. */
  marker: string;
}

/**
 * Recovers an interrupted session: takes a snapshot (trigger `recover`), writes the handoff to
 * resume from (trigger `recover`), and marks the session recovered
 * (`<paths.state>/recovery/<session>.recovered.json`) so it is not offered again until new
 * events arrive. A crash marker is removed.
 *
 * @example
 * const { handoff } = await recoverSession(config, session);
 * console.log(handoff.latestPath);
 */
export async function recoverSession(
  config: SatConfig,
  session: string,
  options: SessionStateOptions & {
    maxTokens?: number;
    /** The state {@link sessionProgress} loaded (taken over: it is caught up, not read again). */
    loaded?: LoadedSessionState;
  } = {},
): Promise<RecoverResult> {
  const { loaded, ...rest } = options;
  const snapshot = await createSnapshotFrom(config, session, { ...rest, trigger: 'recover' }, loaded);
  const handoff = await createHandoff(config, session, {
    ...rest,
    trigger: 'recover',
  });
  const marker = markerPath(config, session, 'recovered');
  mkdirSync(recoveryDir(config), { recursive: true });
  const record: RecoveredMarker = {
    session,
    recoveredAt: new Date().toISOString(),
    lastSeq: sessionInfo(config.paths.logs, session)?.events ?? snapshot.snapshot.seq,
    handoff: handoff.path,
    snapshot: snapshot.snapshot.id,
  };
  writeFileAtomic(marker, `${JSON.stringify(record, null, 2)}\n`);
  try {
    unlinkSync(markerPath(config, session, 'crashed'));
  } catch {}
  return { session, snapshot, handoff, marker };
}
