import type { SatConfig } from '../config/config-schema.js';
import { type LoadConfigOptions, loadConfig } from '../config/load-config.js';
import { SatError } from '../errors.js';
import type { EventPayloads, EventType } from '../events/payloads.js';
import { assertSessionId, newId } from '../ids.js';
import { getActiveSession, setActiveSession } from '../log/active-session.js';
import { type CloseResult, closeSessionLog } from '../log/close-session.js';
import { EventWriter, type WriterFs } from '../log/event-writer.js';
import { configRedactor, redactPayload } from './redaction.js';

/** Options of {@link createTracker}. */
export interface TrackerOptions extends LoadConfigOptions {
  /** A resolved config; when given, the other config options are ignored. */
  config?: SatConfig;
  /** Attach to this existing session instead of calling startSession(). */
  session?: string;
  /** The agent events are attributed to unless a call says otherwise. Default `main`. */
  agent?: string;
  /** Make the session `sat log` appends to. Default false. */
  setActive?: boolean;
  /** Called when a background write fails (the events are kept and retried). */
  onError?: (error: SatError) => void;
  /** File-system functions for the writer (tests inject failures here). */
  fs?: WriterFs;
}

/** Per-call options of the `log*` functions. */
export interface LogOptions {
  /** The agent this event concerns (default: the tracker's agent). */
  agent?: string;
  /** The id of the event this one belongs under. */
  parent?: string;
  /** When it happened (default now). */
  ts?: string | Date;
  /** A fixed id, to make re-logging idempotent downstream. */
  id?: string;
  meta?: Record<string, unknown>;
}

/** Options of {@link Tracker.startSession}. */
export interface StartSessionOptions extends Partial<EventPayloads['session_start']> {
  /** The session id. Default a new UUIDv7. */
  id?: string;
  ts?: string | Date;
}

/** What {@link Tracker.flush} wrote. */
export interface TrackerFlushResult {
  appended: number;
  /** The seq the session's next event gets (undefined before the first write). */
  nextSeq: number | undefined;
}

/** The in-process tracking API. Every `log*` call returns the new event's id at once. */
export interface Tracker {
  readonly config: SatConfig;
  /** The current session, if one was started or attached. */
  readonly session: string | undefined;
  /** Starts a session and makes it current; returns its id. */
  startSession(options?: StartSessionOptions): string;
  /** Writes the end event, flushes, and closes (compresses and verifies) the session's log. */
  endSession(options?: { reason?: string; compress?: boolean }): Promise<CloseResult | undefined>;
  /** An agent (main or sub-agent) was invoked, or finished. */
  logAgentInvocation(data: EventPayloads['agent_invocation'], options?: LogOptions): string;
  /** A tool was used. */
  logToolUsage(data: EventPayloads['tool_usage'], options?: LogOptions): string;
  /** A decision was made. */
  logDecision(data: EventPayloads['decision'], options?: LogOptions): string;
  /** Work was validated (tests, lint, review). */
  logValidation(data: EventPayloads['validation'], options?: LogOptions): string;
  /** An error happened. */
  logError(data: EventPayloads['error'], options?: LogOptions): string;
  /** A file was created, modified, deleted, read or renamed. */
  logFileOperation(data: EventPayloads['file_operation'], options?: LogOptions): string;
  /** The context window was measured or compacted. */
  logContextSnapshot(data: EventPayloads['context_snapshot'], options?: LogOptions): string;
  /** Any event type, including lifecycle events such as `phase`. */
  log<T extends EventType>(type: T, data: EventPayloads[T], options?: LogOptions): string;
  /** Writes pending events now. */
  flush(): Promise<TrackerFlushResult>;
  /** Flushes and releases files; the session stays open for other processes. */
  close(): Promise<void>;
}

/**
 * Creates an in-process tracker. Calls never wait on the disk: events are validated, queued
 * and written on a later tick (or at process exit). Secrets in payloads are redacted first
 * (`config.redact`, on by default).
 *
 * @example
 * const tracker = createTracker({ root: '.claude' });
 * tracker.startSession();
 * const call = tracker.logAgentInvocation({ agent: 'reviewer', invoked_by: 'main', reason: 'review the diff' });
 * tracker.logToolUsage({ tool: 'Bash', parameters: { command: 'pnpm test' }, duration_ms: 5400, success: true }, { agent: 'reviewer', parent: call });
 * await tracker.endSession();
 */
export function createTracker(options: TrackerOptions = {}): Tracker {
  const config = options.config ?? loadConfig(options);
  const logsDir = config.paths.logs;
  const writer = new EventWriter({ logsDir, ...config.writer, onError: options.onError, fs: options.fs });
  const defaultAgent = options.agent ?? 'main';
  const redactor = configRedactor(config);
  let session = options.session === undefined ? undefined : assertSessionId(options.session);
  let lastSeq: number | undefined;

  const current = (): string => {
    if (session === undefined) {
      throw new SatError(
        'NO_ACTIVE_SESSION',
        '[core] no session: call tracker.startSession() first, or pass { session } to createTracker()',
      );
    }
    return session;
  };

  const log = <T extends EventType>(type: T, data: EventPayloads[T], opts: LogOptions = {}): string =>
    writer.append({
      type,
      session: current(),
      data: redactPayload(redactor, data),
      agent: opts.agent ?? defaultAgent,
      parent: opts.parent,
      ts: opts.ts,
      id: opts.id,
      meta: opts.meta,
    });

  const flush = async (): Promise<TrackerFlushResult> => {
    const result = await writer.flush();
    if (session !== undefined && result.nextSeq[session] !== undefined) lastSeq = result.nextSeq[session];
    return { appended: result.appended, nextSeq: lastSeq };
  };

  return {
    config,
    get session() {
      return session;
    },
    startSession(start = {}) {
      const { id, ts, ...data } = start;
      const next = assertSessionId(id ?? newId());
      session = next;
      lastSeq = undefined;
      log('session_start', data, { ts });
      if (options.setActive) setActiveSession(logsDir, next);
      return next;
    },
    async endSession(end = {}) {
      const ending = current();
      log('session_end', end.reason === undefined ? {} : { reason: end.reason });
      await flush();
      writer.forget(ending);
      if (getActiveSession(logsDir) === ending) setActiveSession(logsDir, undefined);
      session = undefined;
      if (end.compress === false) return undefined;
      return closeSessionLog(logsDir, ending, { lockTimeoutMs: config.writer.lockTimeoutMs });
    },
    logAgentInvocation: (data, opts) => log('agent_invocation', data, opts),
    logToolUsage: (data, opts) => log('tool_usage', data, opts),
    logDecision: (data, opts) => log('decision', data, opts),
    logValidation: (data, opts) => log('validation', data, opts),
    logError: (data, opts) => log('error', data, opts),
    logFileOperation: (data, opts) => log('file_operation', data, opts),
    logContextSnapshot: (data, opts) => log('context_snapshot', data, opts),
    log,
    flush,
    close: () => writer.close(),
  };
}
