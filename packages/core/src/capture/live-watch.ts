import {
  closeSync,
  existsSync,
  type FSWatcher,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  watch,
} from 'node:fs';
import { join } from 'node:path';
import type { PendingToolCall } from '../claude-code/hook-handler.js';
import { describeSystemError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { eventSchemas } from '../events/validate.js';
import { isValidSessionId } from '../ids.js';
import { PLAIN_EXT } from '../log/log-files.js';
import type { Redactor } from '../redact/redactor.js';
import { spoolDir } from './capture-script.js';
import { type IngestHookResult, ingestHookSpool } from './hook-spool-ingest.js';

/** Something the live watcher could not read: a bad spool file, a malformed log line, a failed ingest. */
export interface LiveIssue {
  kind: 'bad-payload' | 'bad-line' | 'ingest-failed';
  /** The session, when known. */
  session?: string;
  /** The spool file or log file concerned. */
  file: string;
  message: string;
}

/** What one {@link LiveWatch.tick} found: the events new since the last tick, per session, in log order. */
export interface LiveBatch {
  /** New events, in log order within each session; never one already emitted. */
  events: AnySatEvent[];
  issues: LiveIssue[];
  /** Tool calls started (PreToolUse) whose result has not come yet, from the spool's state. */
  inFlight: PendingToolCall[];
  /** Sessions whose plain log went away since the last tick (closed and compressed). */
  closed: string[];
  /** True when another `sat ingest` held the spool, so this tick left the payloads to it. */
  ingestBusy: boolean;
}

/** Options of {@link createLiveWatch}. */
export interface LiveWatchOptions {
  logsDir: string;
  /** The polling fallback's period, also the longest a change waits when fs.watch misses it. Default 250 ms. */
  pollMs?: number;
  /**
   * What each tick runs on the spool: true (default) the hook spool ingest alone, false nothing
   * (only read the logs), or a function, e.g. the whole capture pipeline (`ingestCapture`), so the
   * transcripts, snapshots, handoffs and session closes the payloads call for are not left undone.
   */
  ingest?: boolean | (() => Promise<IngestHookResult>);
  /** As in `ingestHookSpool`. */
  redactor?: Redactor;
  transcriptRoots?: readonly string[];
  /** Told about every batch that has events, issues or a change of the calls in flight. */
  onBatch?: (batch: LiveBatch) => void;
}

/** A running live watcher (see {@link createLiveWatch}). */
export interface LiveWatch {
  /** Ingests what the spool holds and reads what the logs gained; ticks never overlap. */
  tick(): Promise<LiveBatch>;
  /** Starts fs.watch on the spool and the logs folder plus the polling timer. */
  start(): void;
  /** Stops watching; an unfinished tick completes. */
  close(): void;
}

interface TailState {
  offset: number;
  rest: Buffer;
  ids: Set<string>;
}

const MAX_READ = 4 * 1024 * 1024;

/**
 * Watches the hook spool and the session logs and turns what they gain into batches of new
 * events, so a view sees a tool call within a few hundred milliseconds of its hook firing. Each
 * tick runs the ordinary hook spool ingest (`ingestHookSpool`, with no wait: when a background
 * `sat ingest` holds the spool lock, that run writes the events and the next tick reads them from
 * the log), then reads only the bytes each open session log gained since the last tick. Events
 * are emitted from the log, never from the spool, and each event id at most once, so running
 * next to `sat ingest` neither loses nor doubles one. The hook itself is not touched.
 *
 * @example
 * const live = createLiveWatch({ logsDir: config.paths.logs, onBatch: (b) => render(b.events) });
 * live.start();
 */
export function createLiveWatch(options: LiveWatchOptions): LiveWatch {
  const spool = spoolDir(options.logsDir);
  const tails = new Map<string, TailState>();
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<LiveBatch> | undefined;
  let again = false;
  let lastInFlight = '';

  const runTick = async (): Promise<LiveBatch> => {
    const batch: LiveBatch = { events: [], issues: [], inFlight: [], closed: [], ingestBusy: false };
    if (options.ingest !== false) await ingestSpool(options, spool, batch);
    readLogs(options.logsDir, tails, batch);
    batch.inFlight = readInFlight(spool);
    const inFlightKey = JSON.stringify(batch.inFlight);
    const changed = inFlightKey !== lastInFlight;
    lastInFlight = inFlightKey;
    if (batch.events.length || batch.issues.length || batch.closed.length || changed)
      options.onBatch?.(batch);
    return batch;
  };
  const tick = async (): Promise<LiveBatch> => {
    if (running) {
      again = true;
      return running;
    }
    running = runTick();
    try {
      return await running;
    } finally {
      running = undefined;
      if (again) {
        again = false;
        void tick();
      }
    }
  };
  const poke = () => void tick().catch(() => {});
  return {
    tick,
    start() {
      for (const dir of [options.logsDir, spool]) {
        try {
          const watcher = watch(dir, { persistent: false }, poke);
          watcher.on('error', () => watcher.close());
          watchers.push(watcher);
        } catch {}
      }
      timer = setInterval(poke, options.pollMs ?? 250);
      timer.unref?.();
      poke();
    },
    close() {
      for (const watcher of watchers) watcher.close();
      watchers.length = 0;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

async function ingestSpool(options: LiveWatchOptions, spool: string, batch: LiveBatch): Promise<void> {
  if (!hasPayloads(spool)) return;
  let result: IngestHookResult;
  try {
    result =
      typeof options.ingest === 'function'
        ? await options.ingest()
        : await ingestHookSpool({
            logsDir: options.logsDir,
            waitMs: 0,
            ...(options.redactor ? { redactor: options.redactor } : {}),
            ...(options.transcriptRoots ? { transcriptRoots: options.transcriptRoots } : {}),
          });
  } catch (error) {
    batch.issues.push({ kind: 'ingest-failed', file: spool, message: describeSystemError(error) });
    return;
  }
  batch.ingestBusy = result.busy;
  for (const bad of result.bad)
    batch.issues.push({ kind: 'bad-payload', file: bad.file, message: bad.reason });
}

function hasPayloads(spool: string): boolean {
  try {
    return readdirSync(spool).some((name) => name.endsWith('.json') && !name.startsWith('.'));
  } catch {
    return false;
  }
}

function readInFlight(spool: string): PendingToolCall[] {
  try {
    const state = JSON.parse(readFileSync(join(spool, '.state.json'), 'utf8')) as {
      pending?: Record<string, PendingToolCall>;
    };
    return Object.values(state.pending ?? {}).sort((a, b) => a.ts - b.ts);
  } catch {
    return [];
  }
}

function readLogs(logsDir: string, tails: Map<string, TailState>, batch: LiveBatch): void {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return;
  }
  const present = new Set<string>();
  for (const name of names) {
    if (!name.endsWith(PLAIN_EXT)) continue;
    const session = name.slice(0, -PLAIN_EXT.length);
    if (!isValidSessionId(session)) continue;
    present.add(session);
    let tail = tails.get(session);
    if (!tail) {
      tail = { offset: 0, rest: Buffer.alloc(0), ids: new Set() };
      tails.set(session, tail);
    }
    readNewLines(join(logsDir, name), session, tail, batch);
  }
  for (const session of tails.keys())
    if (!present.has(session)) {
      tails.delete(session);
      batch.closed.push(session);
    }
}

/** Reads what the log gained since `tail.offset`; an incomplete last line waits for the next tick. */
function readNewLines(file: string, session: string, tail: TailState, batch: LiveBatch): void {
  if (!existsSync(file)) return;
  let chunk: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < tail.offset) tail.offset = 0;
      const length = Math.min(size - tail.offset, MAX_READ);
      if (length <= 0) return;
      chunk = Buffer.allocUnsafe(length);
      const read = readSync(fd, chunk, 0, length, tail.offset);
      chunk = chunk.subarray(0, read);
      tail.offset += read;
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    batch.issues.push({ kind: 'bad-line', session, file, message: describeSystemError(error) });
    return;
  }
  const bytes = tail.rest.length ? Buffer.concat([tail.rest, chunk]) : chunk;
  const last = bytes.lastIndexOf(0x0a);
  tail.rest = Buffer.from(bytes.subarray(last + 1));
  if (last < 0) return;
  const schemas = eventSchemas();
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0 || nl > last) break;
    const line = bytes.toString('utf8', start, nl).trim();
    start = nl + 1;
    if (!line) continue;
    try {
      const event = schemas.readStored(JSON.parse(line));
      if (tail.ids.has(event.id)) continue;
      tail.ids.add(event.id);
      batch.events.push(event);
    } catch (error) {
      const message = `malformed log line: ${(error as Error).message.slice(0, 200)}`;
      batch.issues.push({ kind: 'bad-line', session, file, message });
    }
  }
}
