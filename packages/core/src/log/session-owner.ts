import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SatEvent } from '../events/envelope.js';
import { type EventOwner, eventOrigin } from '../events/event-origin.js';
import { sessionLogFiles } from './log-files.js';

/** How much of a log is read for its first line: a little first, more when the line is long. */
const HEAD_READS = [4 * 1024, 64 * 1024];

function head(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

function firstLine(file: string, compressed: boolean): string | undefined {
  for (const bytes of HEAD_READS) {
    let text: string;
    try {
      const raw = head(file, bytes);
      text = (compressed ? gunzipSync(raw, { finishFlush: 2 }) : raw).toString('utf8');
    } catch {
      return undefined;
    }
    const end = text.indexOf('\n');
    if (end !== -1) return text.slice(0, end);
  }
  return undefined;
}

/**
 * Whose a session is, as cheaply as a listing needs: the origin (`meta.origin`) of the first event
 * of its log, which for an imported session is the first event its sharer recorded; undefined for
 * a session recorded here (or a log whose first line cannot be read).
 *
 * @example
 * sessionOwner('.claude/logs', 'b1f2'); // { user: 'ana', machine: 'ana-laptop' }
 */
export function sessionOwner(logsDir: string, session: string): EventOwner | undefined {
  const files = sessionLogFiles(logsDir, session);
  const compressed = existsSync(files.compressed);
  const file = compressed ? files.compressed : existsSync(files.plain) ? files.plain : undefined;
  if (!file) return undefined;
  const line = firstLine(file, compressed);
  if (line === undefined) return undefined;
  try {
    const origin = eventOrigin(JSON.parse(line) as Pick<SatEvent, 'meta'>);
    return origin ? { user: origin.user, machine: origin.machine } : undefined;
  } catch {
    return undefined;
  }
}
