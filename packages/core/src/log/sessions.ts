import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { listSessionIds } from './event-reader.js';
import { type SessionLogFiles, sessionLogFiles } from './log-files.js';
import { readLogTail } from './tail.js';

/** What `close` wrote beside a compressed log. */
export interface SessionMeta {
  session: string;
  closedAt: string;
  /** Complete events in the log. */
  events: number;
  /** Lines that were not valid events. */
  badLines: number;
  firstSeq: number;
  lastSeq: number;
  start?: string;
  end?: string;
  plainBytes: number;
  compressedBytes: number;
  /** SHA-256 of the plain log's bytes. */
  sha256: string;
}

/** One session as `sat sessions` shows it. */
export interface SessionInfo {
  session: string;
  /**
   * `active`: open (no end event; see {@link sessionActivity} for whether it is current);
   * `ended`: has an end event but is not compressed yet; `closed`: compressed.
   */
  status: 'active' | 'ended' | 'closed';
  file: string;
  /** The earliest event time seen (min over the log's first and last 64 KiB). */
  start?: string;
  end?: string;
  /** The latest event time seen (max over the first and last 64 KiB, never before `start`). */
  lastEventAt?: string;
  /** Like `lastEventAt`, ignoring the events sat writes itself (snapshot, handoff, backup). */
  lastActivityAt?: string;
  /** True when the log came from a transcript import (its session_start names the transcript). */
  imported?: boolean;
  /** Events in the log (the last `seq`, which is gapless). */
  events: number;
  /** Bytes on disk. */
  bytes: number;
  /** True when backup or archive has marked it safe elsewhere. */
  backedUp: boolean;
}

/** Reads a closed session's metadata, or undefined. */
export function readSessionMeta(files: SessionLogFiles): SessionMeta | undefined {
  try {
    return JSON.parse(readFileSync(files.meta, 'utf8')) as SessionMeta;
  } catch {
    return undefined;
  }
}

/** Event types sat writes about a session itself: they are not activity in it. */
const SAT_LIFECYCLE = new Set(['snapshot', 'handoff', 'backup', 'alert']);

/** What the first and last 64 KiB of a log say about its times. */
interface LogWindows {
  first?: string;
  last?: string;
  lastActivity?: string;
  imported: boolean;
}

const WINDOW = 64 * 1024;

function readWindow(fd: number, position: number, length: number): string[] {
  const buf = Buffer.allocUnsafe(length);
  const n = readSync(fd, buf, 0, length, position);
  const lines = buf.subarray(0, n).toString('utf8').split('\n');
  // A window cut mid-line: drop the partial line at the cut.
  return position > 0 ? lines.slice(1) : lines.slice(0, -1);
}

function scanLine(text: string, acc: LogWindows): void {
  let event: { ts?: unknown; type?: unknown; meta?: { transcript?: unknown } };
  try {
    event = JSON.parse(text) as typeof event;
  } catch {
    return;
  }
  const ts = event.ts;
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) return;
  if (event.type === 'session_start' && typeof event.meta?.transcript === 'string') acc.imported = true;
  if (acc.first === undefined || ts < acc.first) acc.first = ts;
  if (acc.last === undefined || ts > acc.last) acc.last = ts;
  if (!SAT_LIFECYCLE.has(String(event.type)) && (acc.lastActivity === undefined || ts > acc.lastActivity))
    acc.lastActivity = ts;
}

/**
 * Min and max event times over the first and last 64 KiB of a log (two small reads): sub-agent
 * lines appended after the main transcript's carry earlier times, so position alone misleads.
 */
function scanWindows(file: string, size: number): LogWindows {
  const acc: LogWindows = { imported: false };
  const fd = openSync(file, 'r');
  try {
    const head = readWindow(fd, 0, Math.min(size, WINDOW));
    const tail =
      size > WINDOW ? readWindow(fd, Math.max(WINDOW, size - WINDOW), Math.min(WINDOW, size - WINDOW)) : [];
    for (const text of [...head, ...tail]) scanLine(text, acc);
  } finally {
    closeSync(fd);
  }
  if (acc.lastActivity !== undefined && acc.first !== undefined && acc.lastActivity < acc.first)
    acc.lastActivity = acc.first;
  return acc;
}

/** Facts about one session's log, cheap to compute (reads only the first and last lines). */
export function sessionInfo(logsDir: string, session: string): SessionInfo | undefined {
  const files = sessionLogFiles(logsDir, session);
  const backedUp = existsSync(files.backupMarker);
  const meta = existsSync(files.compressed) ? readSessionMeta(files) : undefined;
  if (meta) {
    return {
      session,
      status: 'closed',
      file: files.compressed,
      start: meta.start,
      end: meta.end,
      lastEventAt: meta.end,
      events: meta.events,
      bytes: statSync(files.compressed).size,
      backedUp,
    };
  }
  const file = existsSync(files.plain)
    ? files.plain
    : existsSync(files.compressed)
      ? files.compressed
      : undefined;
  if (!file) return undefined;
  const size = statSync(file).size;
  if (file === files.compressed) {
    // Compressed but its metadata is missing: an interrupted close. `sat doctor` repairs it.
    return { session, status: 'closed', file, events: 0, bytes: size, backedUp };
  }
  const fd = openSync(file, 'r');
  let tail: ReturnType<typeof readLogTail>;
  try {
    tail = readLogTail(fd, size);
  } finally {
    closeSync(fd);
  }
  const last = tail.lastEvent as { type?: string; ts?: string } | undefined;
  const times = scanWindows(file, size);
  return {
    session,
    status: last?.type === 'session_end' ? 'ended' : 'active',
    file,
    start: times.first,
    end: last?.type === 'session_end' ? last.ts : undefined,
    lastEventAt: times.last,
    lastActivityAt: times.lastActivity ?? times.first,
    imported: times.imported,
    events: tail.lastSeq,
    bytes: size,
    backedUp,
  };
}

/** The order of {@link listSessions}: oldest first (by first event, then id). */
export function compareSessionInfo(a: SessionInfo, b: SessionInfo): number {
  return (a.start ?? '').localeCompare(b.start ?? '') || a.session.localeCompare(b.session);
}

/** Every session in `logsDir`, oldest first (by first event, then id). */
export async function listSessions(logsDir: string): Promise<SessionInfo[]> {
  const out: SessionInfo[] = [];
  for (const id of listSessionIds(logsDir)) {
    const info = sessionInfo(logsDir, id);
    if (info) out.push(info);
  }
  return out.sort(compareSessionInfo);
}

/** How a session is shown everywhere: the one meaning of "active". */
export type SessionActivity = 'active' | 'idle' | 'ended' | 'ended (imported)' | 'closed';

/** An open session with no activity for this long is idle, not active. */
export const IDLE_AFTER_MS = 60 * 60 * 1000;

/**
 * Whether a session is current: `closed` (compressed), `ended` (has an end event), `active`
 * (open, with activity in the last hour), else `ended (imported)` for a transcript import that
 * recorded no end, or `idle`. Activity ignores sat's own snapshot/handoff/backup events, so a
 * handoff written today does not make a months-old session current.
 *
 * @example
 * sessionActivity(sessionInfo(logsDir, id)!, Date.now()); // 'idle'
 */
export function sessionActivity(
  info: Pick<SessionInfo, 'status' | 'lastActivityAt' | 'lastEventAt' | 'imported'>,
  now: number = Date.now(),
): SessionActivity {
  if (info.status === 'closed') return 'closed';
  if (info.status === 'ended') return 'ended';
  const last = Date.parse(info.lastActivityAt ?? info.lastEventAt ?? '');
  if (Number.isFinite(last) && now - last <= IDLE_AFTER_MS) return 'active';
  return info.imported ? 'ended (imported)' : 'idle';
}
