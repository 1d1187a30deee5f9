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
  /** `active`: still open; `ended`: has an end event but is not compressed yet; `closed`: compressed. */
  status: 'active' | 'ended' | 'closed';
  file: string;
  start?: string;
  end?: string;
  lastEventAt?: string;
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

function firstEventTs(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    for (const text of buf.subarray(0, n).toString('utf8').split('\n').slice(0, -1)) {
      try {
        const ts = (JSON.parse(text) as { ts?: unknown }).ts;
        if (typeof ts === 'string') return ts;
      } catch {}
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
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
  return {
    session,
    status: last?.type === 'session_end' ? 'ended' : 'active',
    file,
    start: firstEventTs(file),
    end: last?.type === 'session_end' ? last.ts : undefined,
    lastEventAt: last?.ts,
    events: tail.lastSeq,
    bytes: size,
    backedUp,
  };
}

/** Every session in `logsDir`, oldest first (by first event, then id). */
export async function listSessions(logsDir: string): Promise<SessionInfo[]> {
  const out: SessionInfo[] = [];
  for (const id of listSessionIds(logsDir)) {
    const info = sessionInfo(logsDir, id);
    if (info) out.push(info);
  }
  return out.sort(
    (a, b) => (a.start ?? '').localeCompare(b.start ?? '') || a.session.localeCompare(b.session),
  );
}
