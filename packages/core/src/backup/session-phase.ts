import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { splitLines } from '../log/line-splitter.js';
import type { SessionLogFiles } from '../log/log-files.js';

const PHASE = Buffer.from('"phase"');

/**
 * A session's phase of work: the `phase` of its last `phase` event, else the `phase` its
 * `session_start` named, else `'0'`. Streams the log (compressed or plain) in constant memory,
 * parsing only the lines that mention a phase. `plainBytes` limits the read to a prefix of an
 * open log.
 *
 * @example
 * await readSessionPhase(sessionLogFiles('.claude/logs', 's1')); // '2'
 */
export async function readSessionPhase(files: SessionLogFiles, plainBytes?: number): Promise<string> {
  const compressed = existsSync(files.compressed);
  const file = compressed ? files.compressed : files.plain;
  if (!existsSync(file)) return '0';
  const stream = createReadStream(file, {
    highWaterMark: 1024 * 1024,
    ...(!compressed && plainBytes !== undefined ? { end: plainBytes - 1 } : {}),
  });
  if (!compressed && plainBytes === 0) {
    stream.destroy();
    return '0';
  }
  const source = compressed ? stream.pipe(createGunzip()) : stream;
  let phase: string | undefined;
  let initial: string | undefined;
  try {
    for await (const line of splitLines(source as AsyncIterable<Buffer>)) {
      if (!line.complete || line.bytes.indexOf(PHASE) === -1) continue;
      try {
        const event = JSON.parse(line.bytes.toString('utf8')) as {
          type?: unknown;
          data?: { phase?: unknown };
        };
        const value = event.data?.phase;
        if (typeof value !== 'string' && typeof value !== 'number') continue;
        if (event.type === 'phase') phase = String(value);
        else if (event.type === 'session_start') initial ??= String(value);
      } catch {}
    }
  } finally {
    stream.destroy();
  }
  return phase ?? initial ?? '0';
}
