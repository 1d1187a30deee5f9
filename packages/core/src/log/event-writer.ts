import * as nodeFs from 'node:fs';
import { DEFAULT_WRITER, type WriterSettings } from '../config/config-schema.js';
import { describeSystemError, isSatError, SatError } from '../errors.js';
import { isRealIsoTime, type NewEvent } from '../events/envelope.js';
import type { EventType } from '../events/payloads.js';
import { type EventSchemas, eventSchemas } from '../events/validate.js';
import { isObject } from '../guards.js';
import { assertSessionId, newId } from '../ids.js';
import { FileLock, type LockFs } from './lock.js';
import { type SessionLogFiles, sessionLogFiles } from './log-files.js';
import { PendingEvents } from './pending-events.js';
import { readLogTail } from './tail.js';

/** The part of `node:fs` the writer uses; inject a wrapper to simulate a full disk in tests. */
export type WriterFs = LockFs &
  Pick<typeof nodeFs, 'fstatSync' | 'statSync' | 'existsSync' | 'readSync' | 'ftruncateSync' | 'fsyncSync'>;

/** Options of {@link EventWriter}. */
export interface EventWriterOptions extends Partial<WriterSettings> {
  /** The folder of the session logs. */
  logsDir: string;
  schemas?: EventSchemas;
  fs?: WriterFs;
  /** Called when a background flush fails; the events stay pending and are retried. */
  onError?: (error: SatError) => void;
}

/** What a flush wrote. */
export interface FlushResult {
  /** Events written by this flush. */
  appended: number;
  /** Per session this writer has written to: the `seq` its next event will get. */
  nextSeq: Record<string, number>;
}

/** Event times before this (2020-01-01) cannot be real: Claude Code did not exist yet. */
const EARLIEST_REAL_TS = Date.UTC(2020, 0, 1);
/** How far ahead of this machine's clock an event time may be (clock skew between machines). */
const FUTURE_SLACK_MS = 24 * 3_600_000;

let futureLimit = { until: 0, iso: '' };

/**
 * For an event time far outside any real session (before 2020, or more than a day ahead of the
 * clock): the time to record instead, now. Undefined for a plausible time. A UTC time is compared
 * as text with a limit refreshed every second, so the usual case parses nothing.
 */
function suspectTime(ts: string): string | undefined {
  const now = Date.now();
  if (now >= futureLimit.until)
    futureLimit = { until: now + 1000, iso: new Date(now + FUTURE_SLACK_MS).toISOString() };
  if (ts.endsWith('Z') && ts >= '2020' && ts <= futureLimit.iso) return undefined;
  const ms = Date.parse(ts);
  if (ms >= EARLIEST_REAL_TS && ms <= now + FUTURE_SLACK_MS) return undefined;
  return new Date(now).toISOString();
}

/** Largest single event, serialized. */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

interface Channel {
  files: SessionLogFiles;
  lock: FileLock;
  /** `","session":<session>,"seq":` as bytes: what follows an id in every line. */
  head: Buffer;
  pending: PendingEvents;
  fd?: number;
  knownSize: number;
  nextSeq: number;
}

const openWriters = new Set<EventWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const writer of openWriters) {
      try {
        writer.flushSync();
      } catch (error) {
        process.stderr.write(`sat: events not written at exit: ${(error as Error).message}\n`);
      }
    }
  });
}

/**
 * Appends events to per-session JSONL logs. `append()` validates and serializes the event and
 * returns at once; the disk write happens on a later tick (or synchronously once
 * `highWaterBytes` are pending). Each batch is written with one `write()` while holding the
 * session's cross-process lock, so concurrent processes never tear, interleave, lose or
 * duplicate events, and `seq` stays gapless. Pending events are written on normal process exit.
 *
 * @example
 * const writer = new EventWriter({ logsDir: '.claude/logs' });
 * const id = writer.append({ type: 'decision', session: 's1', data: { question: 'Which DB?', selected: 'SQLite' } });
 * await writer.close();
 */
export class EventWriter {
  private readonly logsDir: string;
  private readonly settings: WriterSettings;
  private readonly schemas: EventSchemas;
  private readonly fs: WriterFs;
  private readonly onError?: (error: SatError) => void;
  private readonly channels = new Map<string, Channel>();
  private scheduled: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private pendingTotal = 0;
  private closed = false;
  private inflight: Promise<FlushResult> | undefined;
  private lastError: SatError | undefined;
  private retryDelay = 0;
  private scratch = Buffer.allocUnsafe(256 * 1024);

  constructor(options: EventWriterOptions) {
    this.logsDir = options.logsDir;
    this.settings = {
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_WRITER.flushIntervalMs,
      highWaterBytes: options.highWaterBytes ?? DEFAULT_WRITER.highWaterBytes,
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_WRITER.lockTimeoutMs,
      staleLockMs: options.staleLockMs ?? DEFAULT_WRITER.staleLockMs,
      fsync: options.fsync ?? DEFAULT_WRITER.fsync,
    };
    this.schemas = options.schemas ?? eventSchemas();
    this.fs = options.fs ?? nodeFs;
    this.onError = options.onError;
    openWriters.add(this);
    installExitHook();
  }

  /** Bytes of serialized events not yet written. */
  get pendingBytes(): number {
    return this.pendingTotal;
  }

  /** The last background flush error, cleared by the next successful flush. */
  get error(): SatError | undefined {
    return this.lastError;
  }

  private channel(session: string): Channel {
    let channel = this.channels.get(session);
    if (!channel) {
      assertSessionId(session);
      const files = sessionLogFiles(this.logsDir, session);
      channel = {
        files,
        lock: new FileLock(files.lock, {
          timeoutMs: this.settings.lockTimeoutMs,
          staleMs: this.settings.staleLockMs,
          fs: this.fs,
        }),
        head: Buffer.from(`","session":${JSON.stringify(session)},"seq":`),
        pending: new PendingEvents(),
        knownSize: -1,
        nextSeq: 0,
      };
      this.channels.set(session, channel);
    }
    return channel;
  }

  /**
   * Validates and queues one event; returns its id. Throws `INVALID_EVENT` or
   * `UNKNOWN_EVENT_TYPE` for a bad event, `WRITER_CLOSED` after close(), and
   * `LOG_WRITE_FAILED` when the pending events cannot be written (disk full, say).
   */
  append<T extends EventType>(event: NewEvent<T>): string {
    if (this.closed)
      throw new SatError('WRITER_CLOSED', '[core] this event writer is closed (create a new tracker)');
    const channel = this.channel(event.session);
    this.schemas.checkPayload(event.type, event.data);
    let ts: string;
    if (event.ts === undefined) ts = new Date().toISOString();
    else if (event.ts instanceof Date && !Number.isNaN(event.ts.getTime())) ts = event.ts.toISOString();
    else if (typeof event.ts === 'string' && isRealIsoTime(event.ts)) ts = event.ts;
    else
      throw invalid(
        event.type,
        `ts must be an ISO-8601 time (a real date) or a Date, got ${JSON.stringify(event.ts)}`,
      );
    let meta = event.meta;
    // A time this writer took itself (now) is plausible; only a given one is checked.
    const suspect = event.ts === undefined ? undefined : suspectTime(ts);
    if (suspect) {
      // Kept, but at the time it was written: a clock 10,000 years off must not make the
      // session last that long, nor land it in (or drop it from) a `--days` window.
      meta = { ...(isObject(meta) ? meta : {}), ts_suspect: true, ts_original: ts };
      ts = suspect;
    }
    const agent = event.agent ?? 'main';
    if (typeof agent !== 'string' || agent.length === 0)
      throw invalid(event.type, 'agent must be a non-empty string');
    if (
      event.parent !== undefined &&
      (typeof event.parent !== 'string' || event.parent.length === 0 || event.parent.length > 128)
    ) {
      throw invalid(event.type, 'parent must be an event id (1-128 characters)');
    }
    if (meta !== undefined && !isObject(meta)) {
      throw invalid(event.type, 'meta must be an object');
    }
    const id = event.id ?? newId();
    if (typeof id !== 'string' || id.length === 0 || id.length > 128)
      throw invalid(event.type, 'id must be 1-128 characters');
    // The same text as JSON.stringify({ ts, type, agent, parent, v, data, meta }), built without
    // the temporary object (this is the hot path: fewer allocations, less GC).
    let body = `"ts":"${ts}","type":"${event.type}","agent":${JSON.stringify(agent)}`;
    if (event.parent !== undefined) body += `,"parent":${JSON.stringify(event.parent)}`;
    body += `,"v":${this.schemas.currentVersion(event.type)},"data":${JSON.stringify(event.data)}`;
    if (meta !== undefined) body += `,"meta":${JSON.stringify(meta)}`;
    body += '}';
    if (body.length + 1 > MAX_EVENT_BYTES) {
      throw invalid(
        event.type,
        `the event is ${body.length + 1} bytes, over the ${MAX_EVENT_BYTES}-byte limit (store large content in a file and log its path)`,
      );
    }
    const before = channel.pending.lineBytes;
    channel.pending.push(event.id === undefined ? `"${id}` : JSON.stringify(id).slice(0, -1), body);
    this.pendingTotal += channel.pending.lineBytes - before;
    if (this.pendingTotal >= this.settings.highWaterBytes) this.flushSync();
    else this.schedule();
    return id;
  }

  private schedule(): void {
    // One background flush at a time: a flush waiting for another process's lock already
    // takes every event appended meanwhile.
    if (this.scheduled !== undefined || this.inflight !== undefined) return;
    const delay = Math.max(this.settings.flushIntervalMs, this.retryDelay);
    const run = () => {
      this.scheduled = undefined;
      this.flush().catch(() => {});
    };
    this.scheduled = delay === 0 ? setImmediate(run) : setTimeout(run, delay);
    this.scheduled.unref?.();
  }

  private unschedule(): void {
    if (this.scheduled === undefined) return;
    clearTimeout(this.scheduled as ReturnType<typeof setTimeout>);
    clearImmediate(this.scheduled as ReturnType<typeof setImmediate>);
    this.scheduled = undefined;
  }

  /** Writes every pending event now, waiting for other processes' locks without blocking the event loop. */
  async flush(): Promise<FlushResult> {
    this.unschedule();
    while (this.inflight) await this.inflight.catch(() => undefined);
    if (this.pendingTotal === 0) return this.withKnownSeqs({ appended: 0, nextSeq: {} });
    this.inflight = this.flushPending();
    try {
      return await this.inflight;
    } finally {
      this.inflight = undefined;
      // Events left (appended meanwhile, or a failed write): schedule again, with backoff after a failure.
      if (this.pendingTotal > 0 && !this.closed) this.schedule();
    }
  }

  private async flushPending(): Promise<FlushResult> {
    const result: FlushResult = { appended: 0, nextSeq: {} };
    try {
      for (const channel of this.channels.values()) {
        while (channel.pending.count > 0)
          await channel.lock.withLock(() => this.writeLocked(channel, result));
      }
      this.succeeded();
      return this.withKnownSeqs(result);
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Writes every pending event now, blocking this thread (used at exit and past the high-water mark). */
  flushSync(): FlushResult {
    this.unschedule();
    const result: FlushResult = { appended: 0, nextSeq: {} };
    try {
      for (const channel of this.channels.values()) {
        while (channel.pending.count > 0) channel.lock.withLockSync(() => this.writeLocked(channel, result));
      }
      this.succeeded();
      return this.withKnownSeqs(result);
    } catch (error) {
      throw this.failed(error);
    }
  }

  private withKnownSeqs(result: FlushResult): FlushResult {
    for (const [session, channel] of this.channels)
      if (channel.nextSeq > 0) result.nextSeq[session] = channel.nextSeq;
    return result;
  }

  private succeeded(): void {
    this.lastError = undefined;
    this.retryDelay = 0;
  }

  private failed(error: unknown): SatError {
    const err = isSatError(error)
      ? error
      : new SatError(
          'LOG_WRITE_FAILED',
          `[core] cannot append to ${this.logsDir}: ${describeSystemError(error)}`,
          { cause: error },
        );
    this.lastError = err;
    this.onError?.(err);
    if (!this.closed && this.pendingTotal > 0) {
      this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 50), 5_000);
      this.schedule();
    }
    return err;
  }

  /**
   * The write itself; the caller holds `channel.lock`. When the lock file is no longer ours (it
   * was deleted, or taken over while this process was stopped), nothing is written: the lock is
   * forgotten and the caller takes it again, so two writers never number events from one tail.
   */
  private writeLocked(channel: Channel, result: FlushResult): void {
    // A synchronous flush may have written these while we waited for the lock.
    if (channel.pending.count === 0) return;
    const fs = this.fs;
    const { files } = channel;
    let startSize = -1;
    try {
      if (channel.fd === undefined) {
        if (fs.existsSync(files.compressed)) throw closedError(files);
        try {
          channel.fd = fs.openSync(files.plain, 'a+', 0o600);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          fs.mkdirSync(this.logsDir, { recursive: true, mode: 0o700 });
          channel.fd = fs.openSync(files.plain, 'a+', 0o600);
        }
        channel.knownSize = -1;
      }
      const stat = fs.fstatSync(channel.fd);
      if (stat.nlink === 0) {
        // Another process closed (compressed and removed) this log since we opened it.
        fs.closeSync(channel.fd);
        channel.fd = undefined;
        throw closedError(files);
      }
      startSize = stat.size;
      let prefix = '';
      if (stat.size !== channel.knownSize) {
        const tail = readLogTail(channel.fd, stat.size, fs);
        channel.nextSeq = tail.lastSeq + 1;
        // A torn last line (a writer killed mid-write) is closed off so ours starts clean;
        // readers report and quarantine the fragment.
        if (!tail.endsClean) prefix = '\n';
      }
      // The lines go straight into one buffer reused from batch to batch: no joined batch string
      // (a string that large lands in V8's large-object space and is freed only by a full GC, which
      // showed up as resident memory when writing millions of events).
      let size = 0;
      if (prefix) size += this.scratch.write(prefix, 0, 'utf8');
      const count = channel.pending.count;
      size = channel.pending.render(this.scratch, size, channel.head, channel.nextSeq, (wanted) => {
        const grown = Buffer.allocUnsafe(wanted);
        this.scratch.copy(grown, 0, 0, this.scratch.length);
        this.scratch = grown;
        return grown;
      });
      const seq = channel.nextSeq + count;
      const buf = this.scratch.subarray(0, size);
      if (!channel.lock.holds()) {
        // Numbered from a tail read under a lock that is no longer ours: write nothing.
        channel.lock.forget();
        channel.knownSize = -1;
        return;
      }
      let written = 0;
      while (written < buf.length) written += fs.writeSync(channel.fd, buf, written, buf.length - written);
      if (this.settings.fsync) fs.fsyncSync(channel.fd);
      channel.knownSize = stat.size + buf.length;
      channel.nextSeq = seq;
      result.appended += count;
      this.pendingTotal -= channel.pending.lineBytes;
      channel.pending.clear();
    } catch (error) {
      // Never leave half a batch behind: cut the file back to where this write began.
      if (startSize >= 0 && channel.fd !== undefined) {
        try {
          fs.ftruncateSync(channel.fd, startSize);
        } catch {}
        channel.knownSize = -1;
      }
      if (isSatError(error)) throw error;
      throw new SatError(
        'LOG_WRITE_FAILED',
        `[core] cannot append to ${files.plain}: ${describeSystemError(error)}`,
        {
          cause: error,
          details: { file: files.plain, session: files.session },
        },
      );
    }
  }

  /** Flushes, fsyncs and closes every file. Later appends throw `WRITER_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.unschedule();
      openWriters.delete(this);
      this.releaseFiles();
    }
  }

  /**
   * Stops writing to one session (after it was closed elsewhere, or when done with it) and closes
   * its file, fsyncing it first unless `options.fsync` is false (for a caller that syncs the files
   * itself later, such as a bulk import).
   */
  forget(session: string, options: { fsync?: boolean } = {}): void {
    const channel = this.channels.get(session);
    if (!channel) return;
    if (channel.pending.count > 0)
      throw new SatError('IO_ERROR', `[core] session ${session} still has pending events (flush first)`);
    if (channel.fd !== undefined) this.closeFd(channel, options.fsync !== false);
    this.channels.delete(session);
  }

  private closeFd(channel: Channel, fsync = true): void {
    try {
      if (fsync) this.fs.fsyncSync(channel.fd!);
    } catch {}
    try {
      this.fs.closeSync(channel.fd!);
    } catch {}
    channel.fd = undefined;
  }

  private releaseFiles(): void {
    for (const channel of this.channels.values()) if (channel.fd !== undefined) this.closeFd(channel);
  }
}

function invalid(type: string, reason: string): SatError {
  return new SatError('INVALID_EVENT', `[core] invalid ${type} event: ${reason}`, {
    details: { type, reasons: [reason] },
  });
}

function closedError(files: SessionLogFiles): SatError {
  return new SatError(
    'SESSION_CLOSED',
    `[core] session ${files.session} is closed (its log is compressed at ${files.compressed}); start a new session`,
    { details: { session: files.session } },
  );
}
