import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SatEvent } from '../events/envelope.js';
import { type EventOwner, eventOrigin } from '../events/event-origin.js';
import { sessionLogFiles } from '../log/log-files.js';

const HEAD_BYTES = 64 * 1024;

function firstLine(file: string, compressed: boolean): string | undefined {
  const fd = openSync(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    head = buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  let text: string;
  try {
    text = (compressed ? gunzipSync(head, { finishFlush: 2 }) : head).toString('utf8');
  } catch {
    return undefined;
  }
  const end = text.indexOf('\n');
  return end === -1 ? undefined : text.slice(0, end);
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
