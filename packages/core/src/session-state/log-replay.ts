import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { isSatError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { eventOrigin } from '../events/event-origin.js';
import { type EventSchemas, eventSchemas } from '../events/validate.js';
import type { ReadIssue } from '../log/event-reader.js';
import { splitLines } from '../log/line-splitter.js';
import { sessionLogFiles } from '../log/log-files.js';
import { reduceSessionInPlace } from './reduce-session.js';
import { emptySessionState, type SessionState } from './session-state.js';

/** An event read from a log, with the byte offset just after its line. */
export interface LoggedEvent {
  event: AnySatEvent;
  /** Byte offset after the event's line (and its newline): where the next read can start. */
  end: number;
}

/** Options of {@link readEventsAfter}. */
export interface ReadAfterOptions {
  /** Only events with a greater seq. Default 0. */
  afterSeq?: number;
  /**
   * Where to start reading (the `end` of the event at `afterSeq`, as a snapshot stores it). When
   * the bytes there do not continue with event `afterSeq + 1`, the log is read from the start.
   */
  offset?: number;
  /** Called with each line that cannot be read (torn, not JSON, invalid); the line is skipped. */
  onIssue?: (issue: ReadIssue) => void;
  schemas?: EventSchemas;
}

const SEQ_FIELD = Buffer.from('"seq":');

/** The `seq` of a stored line without parsing it (the writer puts it within the first bytes). */
function peekSeq(bytes: Buffer): number | undefined {
  const at = bytes.indexOf(SEQ_FIELD);
  if (at === -1 || at > 400) return undefined;
  let value = 0;
  let i = at + SEQ_FIELD.length;
  const first = i;
  for (; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return i > first ? value : undefined;
}

async function* skipBytes(source: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of source) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** True when `offset` in a plain log is at the start of a line (or at the newline a writer added after a torn line). */
function atLineStart(file: string, offset: number): boolean {
  if (offset === 0) return true;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const n = readSync(fd, buf, 0, 2, offset - 1);
    return n >= 1 && (buf[0] === 0x0a || (n === 2 && buf[1] === 0x0a));
  } finally {
    closeSync(fd);
  }
}

class Restart extends Error {}

/**
 * Streams a session's events after `afterSeq`, each with the byte offset after its line, from its
 * plain or compressed log (whose decompressed bytes are those of the plain log). With `offset`, a
 * plain log is read from there on (a compressed one is decompressed and the bytes before `offset`
 * skipped unparsed), so a caller that remembers where it stopped reads only what is new. Lines
 * before `afterSeq` are skipped by their `seq` without being parsed. Bad lines are reported
 * through `onIssue` and skipped (never quarantined: `readSessionEvents` does that); an incomplete
 * last line is left for later unless it is a whole event.
 *
 * @example
 * for await (const { event, end } of readEventsAfter(logsDir, 's1', { afterSeq: 100, offset })) offset = end;
 */
export async function* readEventsAfter(
  logsDir: string,
  session: string,
  options: ReadAfterOptions = {},
): AsyncGenerator<LoggedEvent> {
  const files = sessionLogFiles(logsDir, session);
  const afterSeq = options.afterSeq ?? 0;
  const schemas = options.schemas ?? eventSchemas();
  let start = options.offset ?? 0;
  for (;;) {
    const compressed = existsSync(files.compressed);
    const file = compressed ? files.compressed : existsSync(files.plain) ? files.plain : undefined;
    if (!file) return;
    if (!compressed && start > 0 && (start > statSync(file).size || !atLineStart(file, start))) start = 0;
    try {
      yield* readFrom(file, compressed, start, afterSeq, session, schemas, options.onIssue);
      return;
    } catch (error) {
      if (!(error instanceof Restart)) throw error;
      start = 0;
    }
  }
}

async function* readFrom(
  file: string,
  compressed: boolean,
  start: number,
  afterSeq: number,
  session: string,
  schemas: EventSchemas,
  onIssue: ((issue: ReadIssue) => void) | undefined,
): AsyncGenerator<LoggedEvent> {
  const stream = compressed
    ? createReadStream(file, { highWaterMark: 1024 * 1024 })
    : createReadStream(file, { start, highWaterMark: 1024 * 1024 });
  let streamError: Error | undefined;
  stream.on('error', (error) => {
    streamError = error;
  });
  const source: AsyncIterable<Buffer> = compressed
    ? skipBytes(stream.pipe(createGunzip()) as AsyncIterable<Buffer>, start)
    : (stream as AsyncIterable<Buffer>);
  const report = (kind: ReadIssue['kind'], offset: number, line: number | undefined, message: string) =>
    onIssue?.({ kind, session, file, offset, line, message });
  let first = true;
  try {
    for await (const raw of splitLines(source)) {
      if (raw.bytes.length === 0) continue;
      const offset = start + raw.offset;
      const seq = peekSeq(raw.bytes);
      if (seq !== undefined && seq <= afterSeq) continue;
      if (raw.oversized) {
        report('oversized-line', offset, undefined, 'line longer than 64 MiB');
        continue;
      }
      let event: AnySatEvent;
      try {
        event = schemas.readStored(JSON.parse(raw.bytes.toString('utf8')));
      } catch (error) {
        if (!raw.complete) return; // still being written, or torn: left for later
        const kind = isSatError(error, 'UNKNOWN_EVENT_TYPE')
          ? 'unknown-type'
          : error instanceof SyntaxError
            ? 'corrupt-line'
            : 'invalid-event';
        report(kind, offset, undefined, (error as Error).message);
        continue;
      }
      if (event.session !== session) {
        report('invalid-event', offset, undefined, `event ${event.id} belongs to session ${event.session}`);
        continue;
      }
      if (event.seq <= afterSeq) continue;
      if (first && start > 0 && event.seq !== afterSeq + 1) throw new Restart();
      first = false;
      yield { event, end: offset + raw.bytes.length + (raw.complete ? 1 : 0) };
    }
  } catch (error) {
    if (error instanceof Restart || !compressed) throw error;
    report('corrupt-compressed', start, undefined, `cannot decompress: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
  if (streamError) throw streamError;
}

/** Where a replay starts: a state (taken over and modified) and the log offset after its last event. */
export interface ReplayStart {
  state: SessionState;
  offset?: number;
}

/** What a replay gives: the state, the log offset after its last event, and how many events it read. */
export interface ReplayResult {
  state: SessionState;
  /** Byte offset after the last event reduced (undefined when no event was read and none was given). */
  offset?: number;
  /** Events reduced by this replay. */
  replayed: number;
}

/** True when `a` comes before `b` in time (ts, then id). */
function before(a: Pick<AnySatEvent, 'ts' | 'id'>, b: Pick<AnySatEvent, 'ts' | 'id'>): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

/**
 * The state of a merged session, whose imported events were appended after later ones: every
 * event folded in time order (ts, then id), each with the seq it has in this log, so the state
 * does not depend on the order the bundles were imported in. Its `lastSeq` is the log's highest.
 */
async function replayInTimeOrder(
  logsDir: string,
  session: string,
  onIssue: ((issue: ReadIssue) => void) | undefined,
): Promise<ReplayResult> {
  const logged: LoggedEvent[] = [];
  for await (const item of readEventsAfter(logsDir, session, onIssue ? { onIssue } : {})) logged.push(item);
  logged.sort((a, b) => (before(a.event, b.event) ? -1 : before(b.event, a.event) ? 1 : 0));
  const state = emptySessionState(session);
  let lastSeq = 0;
  let offset: number | undefined;
  for (const { event, end } of logged) {
    state.lastSeq = event.seq - 1;
    reduceSessionInPlace(state, event);
    lastSeq = Math.max(lastSeq, event.seq);
    offset = Math.max(offset ?? 0, end);
  }
  state.lastSeq = lastSeq;
  return offset === undefined
    ? { state, replayed: logged.length }
    : { state, offset, replayed: logged.length };
}

/**
 * Folds a session's log into its state: from `from` (a state it takes over, and the offset after
 * its last event) or from the start. Reads only the events after `from.state.lastSeq`. A merged
 * log, where an imported event (`meta.origin`) follows a later one, is folded again from the start
 * in time order instead, so its state does not depend on the order bundles were imported in.
 *
 * @example
 * const { state } = await replaySession(config.paths.logs, 's1');
 */
export async function replaySession(
  logsDir: string,
  session: string,
  options: { from?: ReplayStart; onIssue?: (issue: ReadIssue) => void } = {},
): Promise<ReplayResult> {
  const state = options.from?.state ?? emptySessionState(session);
  let offset = options.from?.offset;
  let replayed = 0;
  const read: ReadAfterOptions = { afterSeq: state.lastSeq };
  if (offset !== undefined) read.offset = offset;
  if (options.onIssue) read.onIssue = options.onIssue;
  let latest: Pick<AnySatEvent, 'ts' | 'id'> | undefined = state.lastEventAt
    ? { ts: state.lastEventAt, id: '' }
    : undefined;
  for await (const { event, end } of readEventsAfter(logsDir, session, read)) {
    // An imported event older than what came before it: a merge appended it out of order.
    if (latest && before(event, latest) && eventOrigin(event))
      return replayInTimeOrder(logsDir, session, options.onIssue);
    if (!latest || before(latest, event)) latest = event;
    reduceSessionInPlace(state, event);
    offset = end;
    replayed++;
  }
  const result: ReplayResult = { state, replayed };
  if (offset !== undefined) result.offset = offset;
  return result;
}
