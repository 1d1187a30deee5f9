import { createReadStream, existsSync, type ReadStream, readdirSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isSatError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { type EventSchemas, eventSchemas } from '../events/validate.js';
import { type RawLine, splitLines } from './line-splitter.js';
import { FileLock, isOwnerAlive } from './lock.js';
import { COMPRESSED_EXT, PLAIN_EXT, type SessionLogFiles, sessionLogFiles } from './log-files.js';
import { Quarantine } from './quarantine.js';

/** Something a reader found wrong in a log. */
export interface ReadIssue {
  kind:
    | 'corrupt-line'
    | 'invalid-event'
    | 'torn-tail'
    | 'in-progress-tail'
    | 'unknown-type'
    | 'seq-gap'
    | 'seq-reused'
    | 'oversized-line'
    | 'corrupt-compressed';
  session: string;
  file: string;
  /** Byte offset of the line (decompressed stream for compressed logs). */
  offset: number;
  line?: number;
  message: string;
  /** True when the line was copied to the quarantine file by this read. */
  quarantined?: boolean;
}

/** Options of the readers. */
export interface ReadOptions {
  /** Told about every problem found; without it problems are only quarantined. */
  onIssue?: (issue: ReadIssue) => void;
  /** Copy bad lines to `<logs>/quarantine/<session>.jsonl`. Default true. */
  quarantine?: boolean;
  /**
   * Skip the events up to a checkpoint: those before the first event whose seq reaches
   * `fromSeq - 1`, and that event. Every event after it in the file is read, even one whose seq
   * is below `fromSeq` (a seq reused by two writers that both believed they held the lock), so a
   * checkpoint kept as the highest seq applied loses nothing; such events are read again after a
   * checkpoint taken past them, and the caller drops them by id.
   */
  fromSeq?: number;
  schemas?: EventSchemas;
}

/** A session's log opened for reading: the file, and its bytes (decompressed when needed). */
export interface OpenLog {
  file: string;
  compressed: boolean;
  /** The file stream (destroy it when done). */
  stream: ReadStream;
  /** What to read: the file stream, or its gunzip. */
  source: AsyncIterable<Buffer>;
}

/**
 * Opens a session's log for streaming: the compressed log when there is one (a verified
 * compressed log wins over a plain one left by an interrupted close), else the plain one.
 */
export function openLogStream(files: SessionLogFiles): OpenLog | undefined {
  const compressed = existsSync(files.compressed);
  const file = compressed ? files.compressed : existsSync(files.plain) ? files.plain : undefined;
  if (!file) return undefined;
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const gunzip = compressed ? stream.pipe(createGunzip()) : undefined;
  // A damaged file's error reaches the reader through the iteration; without a listener of its
  // own, a second one emitted after the reader stopped would end the process.
  gunzip?.on('error', () => undefined);
  const source = (gunzip ?? stream) as AsyncIterable<Buffer>;
  return { file, compressed, stream, source };
}

function completeEvent(raw: RawLine, schemas: EventSchemas, session: string): AnySatEvent | undefined {
  try {
    const event = schemas.readStored(JSON.parse(raw.bytes.toString('utf8')));
    return event.session === session ? event : undefined;
  } catch {
    return undefined;
  }
}

function lockHeldByLiveWriter(files: SessionLogFiles): boolean {
  const owner = new FileLock(files.lock).readOwner();
  if (owner === null) return false;
  return owner === undefined || isOwnerAlive(owner);
}

/**
 * Streams one session's events in `seq` order, from its plain or compressed log, in constant
 * memory. Bad lines are reported through `onIssue`, copied to the quarantine file and skipped;
 * a last line with no newline is set aside as torn (or, while a live writer holds the lock, as
 * still being written).
 *
 * @example
 * for await (const event of readSessionEvents('.claude/logs', 's1')) console.log(event.seq, event.type);
 */
export async function* readSessionEvents(
  logsDir: string,
  session: string,
  options: ReadOptions = {},
): AsyncGenerator<AnySatEvent> {
  const files = sessionLogFiles(logsDir, session);
  const log = openLogStream(files);
  if (!log) return;
  const schemas = options.schemas ?? eventSchemas();
  const quarantine = options.quarantine === false ? undefined : new Quarantine(files.quarantine);
  const fromSeq = options.fromSeq ?? 0;

  // A compressed log is checked whole first (gzip's CRC): once damaged, what it decompresses to
  // after the damage is garbage that can even parse as events (replayed or spliced lines), so
  // then only the events before the first anomaly are read.
  const damage = log.compressed ? await gzipDamage(log.file) : undefined;
  let stop = false;
  const report = (
    raw: RawLine | undefined,
    kind: ReadIssue['kind'],
    message: string,
    setAside: boolean,
    offset = raw?.offset ?? 0,
  ) => {
    if (damage && kind !== 'corrupt-compressed') {
      if (!stop) {
        stop = true;
        options.onIssue?.({
          kind: 'corrupt-compressed',
          session,
          file: log.file,
          offset,
          line: raw?.line,
          message: `the compressed log is damaged (${damage}); events from byte ${offset} of its content on were not read, as they cannot be trusted: restore this session from a backup`,
        });
      }
      return;
    }
    let quarantined = false;
    if (setAside && raw && quarantine)
      quarantined = quarantine.record(log.file, raw.offset, raw.line, raw.bytes, `${kind}: ${message}`);
    options.onIssue?.({ kind, session, file: log.file, offset, line: raw?.line, message, quarantined });
  };

  // `seq` only ever grows. A gap is reported and read past. A seq that goes backwards is either
  // a true duplicate (an id already read: a line written twice, or replayed by a corrupt
  // compressed file), reported and skipped, or a reused seq (a new id: two writers numbered from
  // the same tail because the lock was deleted under them), reported and read, so events are
  // deduplicated by id, never by seq. Events are yielded in file order.
  const ids = new Set<string>();
  let highSeq = 0;
  const accept = (raw: RawLine, event: AnySatEvent): boolean => {
    if (ids.has(event.id)) {
      const message = `expected seq ${highSeq + 1}, found ${event.seq} (a duplicate: skipped)`;
      report(raw, 'seq-gap', damage ? '' : message, false);
      return false;
    }
    if (highSeq !== 0 && event.seq !== highSeq + 1) {
      if (damage) {
        report(raw, 'seq-gap', '', false);
        return false;
      }
      if (event.seq <= highSeq)
        report(
          raw,
          'seq-reused',
          `seq ${event.seq} of event ${event.id} was used before (the session's lock was broken: two writers appended at once)`,
          false,
        );
      else report(raw, 'seq-gap', `expected seq ${highSeq + 1}, found ${event.seq}`, false);
    }
    ids.add(event.id);
    const pastCheckpoint = highSeq >= fromSeq - 1;
    highSeq = Math.max(highSeq, event.seq);
    return pastCheckpoint || event.seq >= fromSeq;
  };
  const { stream, source } = log;
  let streamError: Error | undefined;
  let lastOffset = 0;
  stream.on('error', (error) => {
    streamError = error;
  });
  try {
    for await (const raw of splitLines(source as AsyncIterable<Buffer>)) {
      if (stop) break;
      lastOffset = raw.offset + raw.bytes.length;
      if (raw.bytes.length === 0 && raw.complete) continue;
      if (!raw.complete) {
        // A whole event whose newline was never written is still a whole event.
        const whole = completeEvent(raw, schemas, session);
        if (whole) {
          if (accept(raw, whole)) yield whole;
          continue;
        }
        if (!log.compressed && lockHeldByLiveWriter(files)) {
          report(
            raw,
            'in-progress-tail',
            'the last line has no newline yet: a writer is still writing it',
            false,
          );
        } else {
          report(
            raw,
            'torn-tail',
            `incomplete last line (${raw.bytes.length} bytes, no newline): a writer stopped mid-write`,
            true,
          );
        }
        continue;
      }
      if (raw.oversized) {
        report(raw, 'oversized-line', 'line longer than 64 MiB', true);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(raw.bytes.toString('utf8'));
      } catch (error) {
        report(raw, 'corrupt-line', `not valid JSON (${(error as Error).message})`, true);
        continue;
      }
      let event: AnySatEvent;
      try {
        event = schemas.readStored(value);
      } catch (error) {
        if (isSatError(error, 'UNKNOWN_EVENT_TYPE'))
          report(raw, 'unknown-type', (error as Error).message, false);
        else report(raw, 'invalid-event', (error as Error).message, true);
        continue;
      }
      if (event.session !== session) {
        report(
          raw,
          'invalid-event',
          `event ${event.id} belongs to session ${event.session}, not ${session}`,
          true,
        );
        continue;
      }
      if (accept(raw, event)) yield event;
    }
  } catch (error) {
    if (!log.compressed) throw error;
    if (!stop)
      report(
        undefined,
        'corrupt-compressed',
        `cannot decompress: ${(error as Error).message}`,
        false,
        lastOffset,
      );
  } finally {
    stream.destroy();
  }
  if (streamError) throw streamError;
}

/** Why a gzip file fails to decompress whole (a bad CRC, a cut end), or undefined when it is intact. */
async function gzipDamage(file: string): Promise<string | undefined> {
  try {
    await pipeline(
      createReadStream(file),
      createGunzip(),
      new Writable({ write: (_chunk, _enc, done) => done() }),
    );
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Ids of every session with a log in `logsDir` (plain or compressed), unordered. */
export function listSessionIds(logsDir: string): string[] {
  if (!existsSync(logsDir)) return [];
  const ids = new Set<string>();
  for (const name of readdirSync(logsDir)) {
    if (name.endsWith(COMPRESSED_EXT)) ids.add(name.slice(0, -COMPRESSED_EXT.length));
    else if (name.endsWith(PLAIN_EXT)) ids.add(name.slice(0, -PLAIN_EXT.length));
  }
  return [...ids];
}

/**
 * Streams the events of every session, one session after another in order of their first
 * event (UUIDv7 session ids sort the same way), each in `seq` order.
 */
export async function* readAllEvents(
  logsDir: string,
  options: ReadOptions = {},
): AsyncGenerator<AnySatEvent> {
  const { listSessions } = await import('./sessions.js');
  for (const info of await listSessions(logsDir)) yield* readSessionEvents(logsDir, info.session, options);
}

/** Options of {@link followSessionEvents}. */
export interface FollowOptions extends Omit<ReadOptions, 'quarantine'> {
  /** Stops following when aborted. */
  signal?: AbortSignal;
  /** How often to look for new events. Default 200 ms. */
  pollMs?: number;
}

/**
 * Streams a session's events and then keeps streaming new ones as they are appended, until the
 * session's end event, the log being closed, or `signal` aborting. Reads only the new bytes each
 * time; a line still being written is picked up once complete.
 */
export async function* followSessionEvents(
  logsDir: string,
  session: string,
  options: FollowOptions = {},
): AsyncGenerator<AnySatEvent> {
  const files = sessionLogFiles(logsDir, session);
  const schemas = options.schemas ?? eventSchemas();
  const pollMs = options.pollMs ?? 200;
  const fromSeq = options.fromSeq ?? 0;
  const ids = new Set<string>();
  let highSeq = 0;
  let offset = 0;
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  while (!options.signal?.aborted) {
    if (!existsSync(files.plain)) {
      if (existsSync(files.compressed)) {
        // Closed: whatever was appended since our last look is in the compressed log.
        for await (const event of readSessionEvents(logsDir, session, { ...options, quarantine: false }))
          if (!ids.has(event.id) && (highSeq >= fromSeq - 1 || event.seq >= fromSeq)) yield event;
        return;
      }
      await sleep();
      continue;
    }
    let size: number;
    try {
      size = statSync(files.plain).size;
    } catch {
      continue;
    }
    if (size > offset) {
      const stream = createReadStream(files.plain, {
        start: offset,
        end: size - 1,
        highWaterMark: 1024 * 1024,
      });
      const base = offset;
      try {
        for await (const raw of splitLines(stream as AsyncIterable<Buffer>)) {
          if (!raw.complete) break;
          offset = base + raw.offset + raw.bytes.length + 1;
          if (raw.bytes.length === 0) continue;
          let event: AnySatEvent;
          try {
            event = schemas.readStored(JSON.parse(raw.bytes.toString('utf8')));
          } catch (error) {
            options.onIssue?.({
              kind: 'corrupt-line',
              session,
              file: files.plain,
              offset: base + raw.offset,
              line: raw.line,
              message: (error as Error).message,
            });
            continue;
          }
          if (ids.has(event.id)) continue;
          ids.add(event.id);
          const pastCheckpoint = highSeq >= fromSeq - 1;
          highSeq = Math.max(highSeq, event.seq);
          if (!pastCheckpoint && event.seq < fromSeq) continue;
          yield event;
          if (event.type === 'session_end') return;
        }
      } finally {
        stream.destroy();
      }
    }
    await sleep();
  }
}
