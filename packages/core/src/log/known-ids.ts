import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { splitLines } from './line-splitter.js';
import { sessionLogFiles } from './log-files.js';

const ID_PREFIX = Buffer.from('{"id":"');

/**
 * The ids of every event already in a session's log, read fast (the writer always puts `id`
 * first, so no line is parsed). Used to make capture and import idempotent: an event whose
 * (deterministic) id is already there is not appended again.
 */
export async function loadEventIds(logsDir: string, session: string): Promise<Set<string>> {
  const files = sessionLogFiles(logsDir, session);
  const ids = new Set<string>();
  const file = existsSync(files.compressed)
    ? files.compressed
    : existsSync(files.plain)
      ? files.plain
      : undefined;
  if (!file) return ids;
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const source = file === files.compressed ? stream.pipe(createGunzip()) : stream;
  try {
    for await (const line of splitLines(source as AsyncIterable<Buffer>)) {
      if (!line.bytes.subarray(0, ID_PREFIX.length).equals(ID_PREFIX)) continue;
      const end = line.bytes.indexOf(0x22, ID_PREFIX.length);
      if (end > 0) ids.add(line.bytes.toString('utf8', ID_PREFIX.length, end));
    }
  } catch {
    // A corrupt compressed log: the ids read so far are what is known.
  } finally {
    stream.destroy();
  }
  return ids;
}
