import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { type HookMapping, mapHookPayload, unfinishedCalls } from '../claude-code/hook-events.js';
import type { HookEvent, PendingToolCall } from '../claude-code/hook-handler.js';
import {
  boundPayload,
  formatBytes,
  HOOK_PAYLOAD_LIMITS,
  type HookPayload,
  parseHookPayload,
  scanPayloadFields,
} from '../claude-code/hook-payload.js';
import { asEnvironmentError, describeSystemError, isSatError, SatError } from '../errors.js';
import { eventSchemas } from '../events/validate.js';
import { isValidSessionId, stableId } from '../ids.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { reopenSessionLog } from '../log/close-session.js';
import { EventWriter } from '../log/event-writer.js';
import { type KnownEvents, loadKnownEvents } from '../log/known-ids.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listTombstones, removeTombstone } from '../log/tombstones.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { spoolDir as spoolDirOf } from './capture-script.js';
import { RawPayloadCopies } from './raw-payload-copy.js';
import { transcriptPathRefusal, transcriptRoots } from './transcript-paths.js';

/** Options of {@link ingestHookSpool}. */
export interface IngestHookOptions {
  logsDir: string;
  /** How long to wait for another ingester; 0 (default) returns `{ busy: true }` at once. */
  waitMs?: number;
  /** A PreToolUse with no PostToolUse after this long is recorded as an unfinished call. Default 1 hour. */
  unfinishedAfterMs?: number;
  /** The clock in milliseconds (default: `Date.now`), for tests of files still being written. */
  now?: () => number;
  /**
   * The folders transcripts named by payloads may be read from. Default Claude Code's projects
   * folder (see `transcriptRoots`); a path elsewhere is refused (see `refusedTranscripts`).
   */
  transcriptRoots?: readonly string[];
  /**
   * Redacts secrets in every payload before its events and its raw copy are written
   * (`configRedactor(config)`). Default: the built-in rules with the fixed salt.
   */
  redactor?: Redactor;
  /**
   * Ingest payloads of purged sessions too (and remove their tombstones). Default false: a purged
   * session's payloads are deleted unread into events, and the session listed in `purgedSkipped`.
   */
  includePurged?: boolean;
}

/** A transcript path a payload named that is not read (see `transcriptPathRefusal`). */
export interface RefusedTranscript {
  session: string;
  path: string;
  reason: string;
}

/** A capture the hook could not write (disk full): its marker `<spool>/lost-<epoch s>`. */
export interface LostCapture {
  /** When the capture was lost (ISO-8601). */
  at: string;
  file: string;
}

/** A spool file that could not be turned into events (kept in `<spool>/bad/`). */
export interface BadPayload {
  file: string;
  reason: string;
}

/** What one ingest run did. */
export interface IngestHookResult {
  /** Another ingester was running; nothing was done. */
  busy: boolean;
  /** Spool files read. */
  files: number;
  /** Events appended. */
  appended: number;
  /** Events not appended because the log already had them (a re-run, or the transcript import). */
  duplicates: number;
  bad: BadPayload[];
  /** Hook event names not known to this version, with counts (their raw payloads are kept). */
  unknownHookEvents: Record<string, number>;
  /** Sessions that got events. */
  sessions: string[];
  /** Sessions whose SessionEnd was ingested. */
  endedSessions: string[];
  /** Transcript files named by the payloads (main and sub-agent), for token import. */
  transcripts: string[];
  /** PreToolUse calls still waiting for their PostToolUse. */
  pendingToolCalls: number;
  /** Lines of `<spool>/errors.log`: captures that failed (disk full, say). */
  captureErrors: string[];
  /** Captures the hook lost (it could write only an empty marker file): see {@link listLostCaptures}. */
  lostCaptures: LostCapture[];
  /** Transcript paths not read: not a `.jsonl` file inside the transcript folders. */
  refusedTranscripts: RefusedTranscript[];
  /** Payloads kept only in part (too large or too deep), with what was cut. */
  cutPayloads: BadPayload[];
  /** Payloads still being written by a live hook process (left for the next run). */
  inProgress: number;
  /** Purged sessions (with a tombstone) whose payloads were dropped, not ingested. */
  purgedSkipped: string[];
}

/** What is kept in `<spool>/.state.json` between runs. */
interface SpoolState {
  pending: Record<string, PendingToolCall>;
  /** agent_id -> agent_type, from SubagentStart. */
  agents: Record<string, string>;
}

/**
 * The capture time encoded in a spool file name, in ms: `<ns since epoch>-<pid>.json`, or
 * `<s since epoch>N-<pid>.json` where `date` has no `%N` (macOS).
 */
export function spoolFileTime(name: string): number | undefined {
  const digits = /^\d+/.exec(name)?.[0];
  if (!digits) return undefined;
  if (digits.length >= 13) return Number(digits.slice(0, 13));
  if (digits.length === 10) return Number(digits) * 1000;
  return undefined;
}

/** The name of a file the capture script writes in place: `<pid of the hook>.json`. */
const IN_PLACE_NAME = /^(\d{1,9})\.json$/;

/** A file written in place whose writer may still be writing it: its hook process is alive. */
const WRITING_GRACE_MS = 60_000;

/**
 * The spool's payload files in capture order: by the time in the name (`<ns>-<pid>.json`), else
 * by modification time (`<pid>.json`, written in place), then by name.
 */
function spoolFilesInOrder(spool: string): string[] {
  const timed = readdirSync(spool)
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .map((name) => {
      let at = spoolFileTime(name);
      if (at === undefined) {
        try {
          at = statSync(join(spool, name)).mtimeMs;
        } catch {
          at = Number.POSITIVE_INFINITY;
        }
      }
      return { name, at };
    });
  return timed.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name)).map((entry) => entry.name);
}

/**
 * True when `name` is written in place (`<pid>.json`) by a hook process that is still alive and
 * wrote it lately: an unreadable file of that kind is a payload still being written, not a bad one.
 * Asked before the file is read, so that only a file whose writer had already exited is final.
 */
function stillBeingWritten(name: string, path: string, now = Date.now()): boolean {
  const pid = IN_PLACE_NAME.exec(name)?.[1];
  if (!pid) return false;
  try {
    if (now - statSync(path).mtimeMs > WRITING_GRACE_MS) return false;
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function emptyResult(): IngestHookResult {
  return {
    busy: false,
    files: 0,
    appended: 0,
    duplicates: 0,
    bad: [],
    unknownHookEvents: {},
    sessions: [],
    endedSessions: [],
    transcripts: [],
    pendingToolCalls: 0,
    captureErrors: [],
    lostCaptures: [],
    refusedTranscripts: [],
    cutPayloads: [],
    inProgress: 0,
    purgedSkipped: [],
  };
}

/**
 * The captures the hook lost: when it cannot write a payload (disk full) it still creates the
 * empty file `<spool>/lost-<seconds since epoch>` (an empty file needs no data block), oldest
 * first. The markers are left in place (like `errors.log`) until removed by hand.
 *
 * @example
 * listLostCaptures(spoolDir(logsDir)); // [{ at: '2026-12-06T21:00:00.000Z', file: 'lost-1796590800' }]
 */
export function listLostCaptures(spool: string): LostCapture[] {
  let names: string[];
  try {
    names = readdirSync(spool);
  } catch {
    return [];
  }
  return names
    .map((file) => ({ file, seconds: /^lost-(\d{9,11})(?:-.*)?$/.exec(file)?.[1] }))
    .filter((entry): entry is { file: string; seconds: string } => entry.seconds !== undefined)
    .map(({ file, seconds }) => ({ file, ms: Number(seconds) * 1000 }))
    .sort((a, b) => a.ms - b.ms || a.file.localeCompare(b.file))
    .map(({ file, ms }) => ({ at: new Date(ms).toISOString(), file }));
}

/** The last 50 lines of `errors.log`; a note of its own when it cannot be read (never a failure). */
function readCaptureErrors(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-50);
  } catch (error) {
    return [`${file} cannot be read: ${describeSystemError(error)}`];
  }
}

/**
 * Turns the hook payloads captured in `<logs>/spool/` into events, in capture order, and then
 * removes the spool files. Pairs PreToolUse with PostToolUse (by `tool_use_id`) into one
 * `tool_usage` with its duration; PostToolUseFailure gives a failed `tool_usage` and an `error`;
 * Task/Agent calls give `agent_invocation`s; file tools `file_operation`s; AskUserQuestion and
 * ExitPlanMode `decision`s; PreCompact/PostCompact `context_snapshot`s; the session hooks the
 * lifecycle events (see `mapHookPayload`). Events inside a sub-agent are attributed to it. Every
 * raw payload is kept in `<logs>/raw/<session>.jsonl`.
 *
 * Idempotent: event ids are derived from the spool file, and a tool call already in the log
 * (from an earlier run or from the transcript import, joined on `tool_use_id`) is not written
 * again, so a run interrupted at any point can simply be run again. One run at a time (a lock).
 *
 * @example
 * const result = await ingestHookSpool({ logsDir: config.paths.logs });
 * if (!result.busy) console.log(`${result.appended} events from ${result.files} payloads`);
 */
export async function ingestHookSpool(options: IngestHookOptions): Promise<IngestHookResult> {
  const spool = spoolDirOf(options.logsDir);
  const result = emptyResult();
  if (!existsSync(spool)) return result;
  result.captureErrors = readCaptureErrors(join(spool, 'errors.log'));
  result.lostCaptures = listLostCaptures(spool);

  const lock = new FileLock(join(spool, '.ingest.lock'), { timeoutMs: Math.max(1, options.waitMs ?? 1) });
  try {
    if (!lock.tryAcquire()) {
      if (!options.waitMs) return { ...result, busy: true };
      await lock.acquire();
    }
  } catch (error) {
    throw asEnvironmentError(error, `lock the hook spool ${spool}`);
  }
  try {
    const roots = options.transcriptRoots ?? transcriptRoots();
    const run = new SpoolIngest(options.logsDir, spool, result, roots, options.redactor ?? createRedactor());
    run.purged = purgedSessions(options.logsDir, options.includePurged === true);
    const names = spoolFilesInOrder(spool);
    const now = options.now?.() ?? Date.now();
    for (const name of names) await run.ingestFile(name);
    await run.recordUnfinished(now, options.unfinishedAfterMs);
    await run.commit();
    return result;
  } finally {
    lock.release();
  }
}

/** One ingest run: the state, the writer, and what the run has seen so far. */
class SpoolIngest {
  private readonly statePath: string;
  private readonly state: SpoolState;
  private readonly writer: EventWriter;
  private readonly known = new Map<string, KnownEvents>();
  private readonly sessions = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly transcripts = new Set<string>();
  private readonly raw: RawPayloadCopies;
  /** Spool files done with (unlinked once everything is written). */
  private readonly done: string[] = [];
  /** Sessions whose payloads are dropped (purged); the others' tombstones are removed on commit. */
  purged: PurgedSessions = { skip: new Set(), revive: new Set() };
  private readonly skipped = new Set<string>();

  constructor(
    private readonly logsDir: string,
    private readonly spool: string,
    private readonly result: IngestHookResult,
    private readonly roots: readonly string[],
    private readonly redactor: Redactor,
  ) {
    this.statePath = join(spool, '.state.json');
    this.state = readState(this.statePath);
    this.writer = new EventWriter({ logsDir });
    this.raw = new RawPayloadCopies(logsDir);
  }

  /** What the session's log holds; a session resumed after it was closed gets its log back. */
  private async knownFor(session: string): Promise<KnownEvents> {
    let known = this.known.get(session);
    if (!known) {
      const files = sessionLogFiles(this.logsDir, session);
      if (existsSync(files.compressed) && !existsSync(files.plain))
        await reopenSessionLog(this.logsDir, session);
      known = await loadKnownEvents(this.logsDir, session);
      this.known.set(session, known);
    }
    return known;
  }

  /**
   * Ingests one spool file. Whatever fails to normalise (an exception while mapping or
   * serialising it) sets that file aside in `spool/bad/` with its reason; the run goes on.
   */
  async ingestFile(name: string): Promise<void> {
    const path = join(this.spool, name);
    // Asked before reading: a writer that exits between the read and the question would make a
    // payload read half-written look final (and set it aside as bad).
    const writing = stillBeingWritten(name, path);
    let loaded: LoadedPayload;
    try {
      loaded = loadSpoolPayload(path);
    } catch (error) {
      this.result.bad.push({ file: name, reason: describeSystemError(error) });
      return;
    }
    if (loaded.reason !== undefined && writing) {
      this.result.inProgress++;
      return;
    }
    this.result.files++;
    if (loaded.reason !== undefined) {
      setAside(this.spool, name, loaded.reason, this.result);
      return;
    }
    try {
      await this.ingestPayload(name, path, loaded);
    } catch (error) {
      if (isEnvironmentFailure(error)) throw asEnvironmentError(error, `ingest ${path}`);
      // Anything else is this payload's fault (a RangeError from a poisoned payload, say).
      setAside(this.spool, name, `cannot normalise: ${String(error)}`, this.result);
    }
  }

  /**
   * The payload with its secrets redacted, and its raw-copy line: the payload's own text when it
   * holds no secret and is small enough, else the bounded, redacted form (never a secret).
   */
  private redacted(
    name: string,
    path: string,
    loaded: ParsedSpoolPayload,
  ): { payload: HookPayload; rawLine: string } {
    const ts = spoolFileTime(name) ?? statSync(path).mtimeMs;
    const head = `{"captured_at":"${new Date(ts).toISOString()}","file":${JSON.stringify(name)}`;
    const { value, findings } = this.redactor.redactValue(loaded.payload);
    // The bounded value holds every string of a payload that was not cut; only a cut one's whole
    // text can hide a secret the value does not show.
    const textHasSecrets =
      loaded.cut !== undefined &&
      loaded.text !== undefined &&
      this.redactor.enabled &&
      this.redactor.redactText(loaded.text).findings.length > 0;
    if (loaded.text !== undefined && findings.length === 0 && !textHasSecrets)
      return { payload: value, rawLine: `${head},"payload":${loaded.text}}` };
    const redactedCount = Math.max(findings.length, textHasSecrets ? 1 : 0);
    const extra = {
      ...(loaded.cut ? { cut: loaded.cut } : {}),
      ...(redactedCount > 0 ? { redacted: redactedCount } : {}),
    };
    const fields = Object.entries(extra).map(([key, v]) => `,${JSON.stringify(key)}:${JSON.stringify(v)}`);
    return { payload: value, rawLine: `${head}${fields.join('')},"payload":${JSON.stringify(value)}}` };
  }

  private async ingestPayload(name: string, path: string, loaded: ParsedSpoolPayload): Promise<void> {
    const { payload, rawLine } = this.redacted(name, path, loaded);
    const session = payload.session_id;
    if (this.purged.skip.has(session)) {
      this.skipped.add(session);
      this.done.push(path);
      return;
    }
    const ts = spoolFileTime(name) ?? statSync(path).mtimeMs;
    const known = await this.knownFor(session);
    const mapping = mapHookPayload(payload, {
      file: name,
      ts,
      recordedToolCalls: known.toolCalls,
      recordedPrompts: known.prompts,
      recordedTools: known.toolSpans,
      sessionStarted: known.types.has('session_start'),
      pendingCalls: this.state.pending,
      agentTypes: this.state.agents,
    });
    const schemas = eventSchemas();
    for (const event of mapping.events) {
      schemas.checkPayload(event.type, event.data);
      JSON.stringify(event.meta);
    }
    const refused = this.refuseTranscripts(mapping, session, name, ts);
    this.sessions.add(session);
    this.raw.add(session, name, rawLine);
    if (loaded.cut) this.result.cutPayloads.push({ file: name, reason: loaded.cut });
    this.apply({ ...mapping, events: [...mapping.events, ...refused] }, session, known);
    this.done.push(path);
  }

  /**
   * Drops from `mapping.transcripts` the paths that must not be read, and gives for each a
   * `notification` event naming it (also listed in `refusedTranscripts`).
   */
  private refuseTranscripts(mapping: HookMapping, session: string, file: string, ts: number): HookEvent[] {
    const events: HookEvent[] = [];
    mapping.transcripts = mapping.transcripts.filter((path) => {
      const reason = transcriptPathRefusal(path, this.roots);
      if (reason === undefined) return true;
      this.result.refusedTranscripts.push({ session, path, reason });
      events.push({
        type: 'notification',
        session,
        agent: 'main',
        ts: new Date(ts),
        id: stableId(ts, session, file, `refused-transcript:${path}`),
        data: {
          message: `transcript path refused, not read: ${path} (${reason})`,
          notification_type: 'sat_refused_transcript',
        },
        meta: { hook: mapping.hook, refused_path: path },
      });
      return false;
    });
    return events;
  }

  /** Records what one payload changed, and appends its events the log does not have yet. */
  private apply(mapping: HookMapping, session: string, known: KnownEvents): void {
    for (const path of mapping.transcripts) this.transcripts.add(path);
    for (const key of mapping.recordedToolCalls) known.toolCalls.add(key);
    if (mapping.startedCall) this.state.pending[mapping.startedCall.toolUseId] = mapping.startedCall.call;
    if (mapping.answeredCall) delete this.state.pending[mapping.answeredCall];
    if (mapping.agentType) this.state.agents[mapping.agentType.agentId] = mapping.agentType.agentType;
    if (mapping.alreadyRecorded) this.result.duplicates++;
    if (mapping.ended) this.ended.add(session);
    if (mapping.unknownHook)
      this.result.unknownHookEvents[mapping.unknownHook] =
        (this.result.unknownHookEvents[mapping.unknownHook] ?? 0) + 1;
    for (const event of mapping.events) this.appendNew(event, known);
  }

  private appendNew(event: HookEvent, known: KnownEvents): void {
    if (known.ids.has(event.id)) {
      this.result.duplicates++;
      return;
    }
    known.ids.add(event.id);
    this.writer.append(event);
    this.result.appended++;
  }

  /** Records the calls whose result never came (the agent was interrupted, or crashed). */
  async recordUnfinished(now: number, afterMs?: number): Promise<void> {
    for (const [toolUseId, call] of Object.entries(this.state.pending))
      if (this.purged.skip.has(call.session)) delete this.state.pending[toolUseId];
    for (const { toolUseId, call, event } of unfinishedCalls(this.state.pending, now, afterMs)) {
      delete this.state.pending[toolUseId];
      const known = await this.knownFor(call.session);
      if (known.toolCalls.has(`call:${toolUseId}`)) continue;
      known.toolCalls.add(`call:${toolUseId}`);
      this.writer.append(event);
      this.sessions.add(call.session);
      this.result.appended++;
    }
  }

  /** Writes the events, the raw copies and the state, then removes the spool files ingested. */
  async commit(): Promise<void> {
    try {
      await this.writer.close();
    } catch (error) {
      throw new SatError(
        'LOG_WRITE_FAILED',
        `[core] cannot write the captured hook events: ${(error as Error).message} (the spool files were kept; run 'sat ingest' again)`,
        { cause: error },
      );
    }
    this.raw.write();
    try {
      writeFileAtomic(this.statePath, `${JSON.stringify(this.state)}\n`);
    } catch (error) {
      throw asEnvironmentError(error, `write the hook ingest state ${this.statePath}`);
    }
    for (const path of this.done) {
      try {
        unlinkSync(path);
      } catch {}
    }
    for (const session of this.sessions)
      if (this.purged.revive.has(session)) removeTombstone(this.logsDir, session);
    this.result.purgedSkipped = [...this.skipped].sort();
    this.result.sessions = [...this.sessions];
    this.result.endedSessions = [...this.ended];
    this.result.transcripts = [...this.transcripts];
    this.result.pendingToolCalls = Object.keys(this.state.pending).length;
  }
}

/** The purged sessions of a run: skipped, or (with `includePurged`) brought back. */
interface PurgedSessions {
  skip: Set<string>;
  revive: Set<string>;
}

function purgedSessions(logsDir: string, include: boolean): PurgedSessions {
  const ids = new Set(listTombstones(logsDir).map((t) => t.session));
  return include ? { skip: new Set(), revive: ids } : { skip: ids, revive: new Set() };
}

function readState(path: string): SpoolState {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<SpoolState>;
    return { pending: state.pending ?? {}, agents: state.agents ?? {} };
  } catch {
    return { pending: {}, agents: {} };
  }
}

function setAside(spool: string, name: string, reason: string, result: IngestHookResult): void {
  const bad = join(spool, 'bad');
  const line = reason.replace(/[\r\n\t]+/g, ' ');
  try {
    mkdirSync(bad, { recursive: true });
    try {
      renameSync(join(spool, name), join(bad, name));
    } catch {}
    appendFileSync(join(bad, 'reasons.log'), `${name}\t${line}\n`);
  } catch (error) {
    throw asEnvironmentError(error, `set aside the bad payload ${join(spool, name)}`);
  }
  result.bad.push({ file: name, reason: line.length > 600 ? `${line.slice(0, 600)}…` : line });
}

/** A failure of the disk or of the session's log, not of the payload: the run stops (and is retried). */
function isEnvironmentFailure(error: unknown): boolean {
  if (isSatError(error)) return !isSatError(error, 'INVALID_EVENT', 'UNKNOWN_EVENT_TYPE');
  return asEnvironmentError(error, '') !== error;
}

/** A spool file's payload, bounded; `text` is its whole JSON text when it is small enough to keep. */
interface ParsedSpoolPayload {
  payload: HookPayload;
  /** The payload's text on one line, for the raw copy (absent: the raw copy holds the bounded form). */
  text?: string;
  /** What was cut, when the payload is kept only in part. */
  cut?: string;
  reason?: undefined;
}

type LoadedPayload = ParsedSpoolPayload | { reason: string };

const SCAN_BYTES = 64 * 1024;

/**
 * Reads one spool file within the limits of {@link HOOK_PAYLOAD_LIMITS}: a file over
 * `maxParseBytes` is never read whole (its identifying fields are scanned from its first and
 * last 64 KiB, and its tool input and response are recorded as cut), any other is parsed and
 * bounded. Memory stays within a few times `maxParseBytes`, whatever the file.
 */
function loadSpoolPayload(path: string): LoadedPayload {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const { maxParseBytes, maxRawBytes } = HOOK_PAYLOAD_LIMITS;
    if (size > maxParseBytes) return oversizedPayload(fd, size);
    const buf = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.toString('utf8', 0, read);
    const parsed = parseHookPayload(text);
    if (parsed.reason !== undefined) return parsed;
    const bounded = boundPayload(parsed.payload);
    const whole = read <= maxRawBytes;
    const cut = bounded.cut
      ? `cut to ${HOOK_PAYLOAD_LIMITS.maxDepth} levels and ${formatBytes(HOOK_PAYLOAD_LIMITS.maxTotal)} of text${whole ? ' (the raw copy has it whole)' : ` (payload of ${formatBytes(read)}: the raw copy holds the bounded form)`}`
      : undefined;
    return {
      payload: bounded.value,
      ...(whole ? { text: text.trim().replace(/[\r\n]+/g, ' ') } : {}),
      ...(cut ? { cut } : {}),
    };
  } finally {
    closeSync(fd);
  }
}

function oversizedPayload(fd: number, size: number): LoadedPayload {
  const head = Buffer.allocUnsafe(SCAN_BYTES);
  const tail = Buffer.allocUnsafe(SCAN_BYTES);
  const headBytes = readSync(fd, head, 0, SCAN_BYTES, 0);
  const tailBytes = readSync(fd, tail, 0, SCAN_BYTES, Math.max(0, size - SCAN_BYTES));
  const headText = head.toString('utf8', 0, headBytes);
  const fields = scanPayloadFields(headText, tail.toString('utf8', 0, tailBytes));
  const limit = `payload of ${formatBytes(size)} exceeds the ${HOOK_PAYLOAD_LIMITS.maxParseBytes / 1024 / 1024} MiB limit`;
  if (!isValidSessionId(fields.session_id))
    return {
      reason: `${limit}; no session_id in its first bytes: ${JSON.stringify(headText.slice(0, 1024))}`,
    };
  const marker = `[cut: ${limit}: not parsed]`;
  return {
    payload: { ...fields, session_id: fields.session_id, tool_input: { cut: marker }, tool_response: marker },
    cut: `${limit}: only session_id, hook_event_name, tool_name, tool_use_id and agent_id were read`,
  };
}
