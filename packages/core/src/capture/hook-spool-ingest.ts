import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { type HookMapping, mapHookPayload, unfinishedCalls } from '../claude-code/hook-events.js';
import type { HookEvent, PendingToolCall } from '../claude-code/hook-handler.js';
import { parseHookPayload } from '../claude-code/hook-payload.js';
import { describeSystemError, SatError } from '../errors.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { reopenSessionLog } from '../log/close-session.js';
import { EventWriter } from '../log/event-writer.js';
import { type KnownEvents, loadKnownEvents } from '../log/known-ids.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { spoolDir as spoolDirOf } from './capture-script.js';

/** Options of {@link ingestHookSpool}. */
export interface IngestHookOptions {
  logsDir: string;
  /** How long to wait for another ingester; 0 (default) returns `{ busy: true }` at once. */
  waitMs?: number;
  /** A PreToolUse with no PostToolUse after this long is recorded as an unfinished call. Default 1 hour. */
  unfinishedAfterMs?: number;
  now?: () => number;
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
  };
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
  const errorsLog = join(spool, 'errors.log');
  if (existsSync(errorsLog))
    result.captureErrors = readFileSync(errorsLog, 'utf8').split('\n').filter(Boolean).slice(-50);

  const lock = new FileLock(join(spool, '.ingest.lock'), { timeoutMs: Math.max(1, options.waitMs ?? 1) });
  if (!lock.tryAcquire()) {
    if (!options.waitMs) return { ...result, busy: true };
    await lock.acquire();
  }
  try {
    const run = new SpoolIngest(options.logsDir, spool, result);
    const names = readdirSync(spool)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort();
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
  /** Raw copies to append, by session. */
  private readonly raw = new Map<string, string[]>();
  /** Spool files done with (unlinked once everything is written). */
  private readonly done: string[] = [];

  constructor(
    private readonly logsDir: string,
    private readonly spool: string,
    private readonly result: IngestHookResult,
  ) {
    this.statePath = join(spool, '.state.json');
    this.state = readState(this.statePath);
    this.writer = new EventWriter({ logsDir });
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

  async ingestFile(name: string): Promise<void> {
    const path = join(this.spool, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      this.result.bad.push({ file: name, reason: describeSystemError(error) });
      return;
    }
    this.result.files++;
    const parsed = parseHookPayload(text);
    if (parsed.reason !== undefined) {
      setAside(this.spool, name, parsed.reason, this.result);
      return;
    }
    const { payload } = parsed;
    const session = payload.session_id;
    const ts = spoolFileTime(name) ?? statSync(path).mtimeMs;
    const known = await this.knownFor(session);
    this.sessions.add(session);
    const lines = this.raw.get(session) ?? [];
    lines.push(JSON.stringify({ captured_at: new Date(ts).toISOString(), file: name, payload }));
    this.raw.set(session, lines);
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
    this.apply(mapping, session, known);
    this.done.push(path);
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
    const rawDir = join(this.logsDir, 'raw');
    mkdirSync(rawDir, { recursive: true });
    for (const [session, lines] of this.raw)
      appendFileSync(join(rawDir, `${session}.jsonl`), `${lines.join('\n')}\n`);
    writeFileAtomic(this.statePath, `${JSON.stringify(this.state)}\n`);
    for (const path of this.done) {
      try {
        unlinkSync(path);
      } catch {}
    }
    this.result.sessions = [...this.sessions];
    this.result.endedSessions = [...this.ended];
    this.result.transcripts = [...this.transcripts];
    this.result.pendingToolCalls = Object.keys(this.state.pending).length;
  }
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
  mkdirSync(bad, { recursive: true });
  try {
    renameSync(join(spool, name), join(bad, name));
  } catch {}
  appendFileSync(join(bad, 'reasons.log'), `${name}\t${reason}\n`);
  result.bad.push({ file: name, reason });
}
