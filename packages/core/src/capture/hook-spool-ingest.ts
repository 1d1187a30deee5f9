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
import {
  agentInvocationFromTask,
  decisionsFromTool,
  fileOperationFromTool,
  summarizeToolInput,
  toolErrorPayload,
} from '../claude-code/normalize.js';
import { SUBAGENT_TOOL_NAMES, subagentRunResult } from '../claude-code/transcript-records.js';
import { describeSystemError, SatError } from '../errors.js';
import type { NewEvent } from '../events/envelope.js';
import type { EventPayloads, EventType } from '../events/payloads.js';
import { isValidSessionId, stableId } from '../ids.js';
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

interface PendingCall {
  session: string;
  ts: number;
  tool: string;
  input: unknown;
  agent: string;
  agentId?: string;
}

interface SpoolState {
  pending: Record<string, PendingCall>;
  /** agent_id -> agent_type, from SubagentStart. */
  agents: Record<string, string>;
}

type HookPayload = Record<string, unknown> & { session_id?: unknown; hook_event_name?: unknown };

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const clip = (text: string, max = 2000) => (text.length > max ? `${text.slice(0, max)}…` : text);

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

function readState(path: string): SpoolState {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<SpoolState>;
    return { pending: state.pending ?? {}, agents: state.agents ?? {} };
  } catch {
    return { pending: {}, agents: {} };
  }
}

/**
 * Turns the hook payloads captured in `<logs>/spool/` into events, in capture order, and then
 * removes the spool files. Pairs PreToolUse with PostToolUse (by `tool_use_id`) into one
 * `tool_usage` with its duration; PostToolUseFailure gives a failed `tool_usage` and an `error`;
 * Task/Agent calls give `agent_invocation`s; file tools `file_operation`s; AskUserQuestion and
 * ExitPlanMode `decision`s; PreCompact/PostCompact `context_snapshot`s; the session hooks the
 * lifecycle events. Events inside a sub-agent are attributed to it. Every raw payload is kept in
 * `<logs>/raw/<session>.jsonl`.
 *
 * Idempotent: event ids are derived from the spool file, and a tool call already in the log
 * (from an earlier run or from the transcript import, joined on `tool_use_id`) is not written
 * again, so a run interrupted at any point can simply be run again. One run at a time (a lock).
 */
export async function ingestHookSpool(options: IngestHookOptions): Promise<IngestHookResult> {
  const { logsDir } = options;
  const spool = spoolDirOf(logsDir);
  const result: IngestHookResult = {
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
    const statePath = join(spool, '.state.json');
    const state = readState(statePath);
    const names = readdirSync(spool)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort();
    const now = options.now?.() ?? Date.now();
    const writer = new EventWriter({ logsDir });
    const known = new Map<string, KnownEvents>();
    const sessions = new Set<string>();
    const ended = new Set<string>();
    const transcripts = new Set<string>();
    const raw = new Map<string, string[]>();
    const done: string[] = [];

    const knownFor = async (session: string): Promise<KnownEvents> => {
      let k = known.get(session);
      if (!k) {
        const files = sessionLogFiles(logsDir, session);
        // A session resumed after it was closed: put its log back to append to it.
        if (existsSync(files.compressed) && !existsSync(files.plain))
          await reopenSessionLog(logsDir, session);
        k = await loadKnownEvents(logsDir, session);
        known.set(session, k);
      }
      return k;
    };

    for (const name of names) {
      const path = join(spool, name);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        result.bad.push({ file: name, reason: describeSystemError(error) });
        continue;
      }
      result.files++;
      let payload: HookPayload;
      try {
        const value = JSON.parse(text) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw new Error('not a JSON object');
        payload = value as HookPayload;
      } catch (error) {
        setAside(spool, name, `not a hook payload: ${(error as Error).message}`, result);
        continue;
      }
      const session = payload.session_id;
      if (!isValidSessionId(session)) {
        setAside(spool, name, `no valid session_id (${JSON.stringify(session)?.slice(0, 60)})`, result);
        continue;
      }
      const hook = str(payload.hook_event_name) ?? 'unknown';
      const ts = spoolFileTime(name) ?? statSync(path).mtimeMs;
      const k = await knownFor(session);
      sessions.add(session);
      const list = raw.get(session) ?? [];
      list.push(JSON.stringify({ captured_at: new Date(ts).toISOString(), file: name, payload }));
      raw.set(session, list);
      const transcript = str(payload.transcript_path);
      if (transcript) transcripts.add(transcript);
      const agentTranscript = str(payload.agent_transcript_path);
      if (agentTranscript) transcripts.add(agentTranscript);

      const agentId = str(payload.agent_id);
      const agent =
        str(payload.agent_type) ?? (agentId ? (state.agents[agentId] ?? `agent-${agentId}`) : 'main');
      const meta = (extra: Record<string, unknown> = {}) => ({
        hook,
        ...(agentId ? { agent_id: agentId } : {}),
        ...extra,
      });
      const add = <T extends EventType>(
        type: T,
        data: EventPayloads[T],
        key: string,
        extra: Record<string, unknown> = {},
        eventAgent = agent,
      ) => {
        const id = stableId(ts, session, name, key);
        if (k.ids.has(id)) {
          result.duplicates++;
          return;
        }
        k.ids.add(id);
        writer.append({
          type,
          session,
          data,
          agent: eventAgent,
          ts: new Date(ts),
          id,
          meta: meta(extra),
        } as NewEvent);
        result.appended++;
      };

      const toolUseId = str(payload.tool_use_id);
      const tool = str(payload.tool_name) ?? 'unknown';
      switch (hook) {
        case 'SessionStart':
          add(
            'session_start',
            {
              client: 'claude-code',
              ...(str(payload.source) ? { source: str(payload.source) } : {}),
              ...(typeof payload.cwd === 'string' ? { cwd: payload.cwd } : {}),
              ...(str(payload.model) ? { model: str(payload.model) } : {}),
            },
            'start',
          );
          break;
        case 'UserPromptSubmit': {
          const prompt = typeof payload.prompt === 'string' ? payload.prompt : '';
          add('user_prompt', { text: clip(prompt), chars: prompt.length }, 'prompt');
          break;
        }
        case 'PreToolUse':
          if (!toolUseId) break;
          state.pending[toolUseId] = {
            session,
            ts,
            tool,
            input: summarizeToolInput(payload.tool_input),
            agent,
            ...(agentId ? { agentId } : {}),
          };
          if (SUBAGENT_TOOL_NAMES.includes(tool) && !k.toolCalls.has(`start:${toolUseId}`)) {
            k.toolCalls.add(`start:${toolUseId}`);
            add(
              'agent_invocation',
              { ...agentInvocationFromTask(payload.tool_input, agent), tool_use_id: toolUseId },
              'invocation-start',
              {},
              agentInvocationFromTask(payload.tool_input, agent).agent,
            );
          }
          break;
        case 'PostToolUse':
        case 'PostToolUseFailure': {
          if (!toolUseId) {
            add(
              'tool_usage',
              { tool, success: hook === 'PostToolUse', parameters: summarizeToolInput(payload.tool_input) },
              'tool',
            );
            break;
          }
          const pre = state.pending[toolUseId];
          delete state.pending[toolUseId];
          if (k.toolCalls.has(`call:${toolUseId}`)) {
            result.duplicates++;
            break;
          }
          k.toolCalls.add(`call:${toolUseId}`);
          const failed = hook === 'PostToolUseFailure';
          const error = failed
            ? typeof payload.error === 'string'
              ? payload.error
              : 'the tool call failed'
            : undefined;
          const duration =
            typeof payload.duration_ms === 'number' && payload.duration_ms >= 0
              ? payload.duration_ms
              : pre
                ? Math.max(0, ts - pre.ts)
                : undefined;
          add(
            'tool_usage',
            {
              tool,
              parameters: summarizeToolInput(payload.tool_input),
              success: !failed,
              tool_use_id: toolUseId,
              ...(duration !== undefined ? { duration_ms: duration } : {}),
              ...(error !== undefined ? { error: clip(error, 500) } : {}),
            },
            'tool',
          );
          if (failed) {
            const payloadError = toolErrorPayload(
              tool,
              payload.is_interrupt === true ? `Interrupted: ${error}` : error!,
              toolUseId,
            );
            add('error', payloadError, 'error');
            break;
          }
          const fileOp = fileOperationFromTool(tool, payload.tool_input, payload.tool_response);
          if (fileOp) add('file_operation', fileOp, 'file', { tool_use_id: toolUseId });
          const responseText = typeof payload.tool_response === 'string' ? payload.tool_response : '';
          decisionsFromTool(
            tool,
            payload.tool_input,
            payload.tool_response,
            responseText || 'approved',
          ).forEach((decision, i) => {
            add('decision', decision, `decision-${i}`, { tool_use_id: toolUseId });
          });
          if (SUBAGENT_TOOL_NAMES.includes(tool)) {
            const run = subagentRunResult(payload.tool_response);
            const started = agentInvocationFromTask(payload.tool_input, agent);
            const data: EventPayloads['agent_invocation'] = {
              agent: started.agent,
              invoked_by: agent,
              status: run?.status && run.status !== 'completed' ? 'failed' : 'completed',
              success: !run?.status || run.status === 'completed',
              tool_use_id: toolUseId,
              ...(started.reason ? { reason: started.reason } : {}),
              ...(run?.agentId ? { agent_id: run.agentId } : {}),
              ...(run?.totalDurationMs !== undefined
                ? { duration_ms: run.totalDurationMs }
                : duration !== undefined
                  ? { duration_ms: duration }
                  : {}),
              ...(run?.usage
                ? {
                    tokens: {
                      input: run.usage.input,
                      output: run.usage.output,
                      cacheCreation: run.usage.cacheCreation,
                      cacheRead: run.usage.cacheRead,
                    },
                  }
                : {}),
            };
            add('agent_invocation', data, 'invocation-end', {}, started.agent);
          }
          break;
        }
        case 'SubagentStart':
          if (agentId && str(payload.agent_type)) state.agents[agentId] = str(payload.agent_type)!;
          break;
        case 'SubagentStop':
        case 'Stop': {
          const last =
            typeof payload.last_assistant_message === 'string' ? payload.last_assistant_message : undefined;
          add(
            'turn_end',
            {
              ...(last ? { last_message: clip(last) } : {}),
              ...(typeof payload.stop_hook_active === 'boolean'
                ? { stop_hook_active: payload.stop_hook_active }
                : {}),
            },
            'turn',
          );
          break;
        }
        case 'PreCompact':
        case 'PostCompact':
          add(
            'context_snapshot',
            {
              trigger: `${hook === 'PreCompact' ? 'pre' : 'post'}-compact:${str(payload.trigger) ?? 'unknown'}`,
            },
            'compact',
          );
          break;
        case 'Notification':
          add(
            'notification',
            {
              message: typeof payload.message === 'string' ? clip(payload.message, 1000) : '',
              ...(str(payload.title) ? { title: str(payload.title) } : {}),
              ...(str(payload.notification_type)
                ? { notification_type: str(payload.notification_type) }
                : {}),
            },
            'notification',
          );
          break;
        case 'SessionEnd':
          add('session_end', str(payload.reason) ? { reason: str(payload.reason) } : {}, 'end');
          ended.add(session);
          break;
        default:
          result.unknownHookEvents[hook] = (result.unknownHookEvents[hook] ?? 0) + 1;
      }
      done.push(path);
    }

    // Calls whose result never came (the agent was interrupted, or crashed).
    const limit = options.unfinishedAfterMs ?? 3_600_000;
    for (const [toolUseId, pre] of Object.entries(state.pending)) {
      if (now - pre.ts < limit) continue;
      delete state.pending[toolUseId];
      const k = await knownFor(pre.session);
      if (k.toolCalls.has(`call:${toolUseId}`)) continue;
      k.toolCalls.add(`call:${toolUseId}`);
      const id = stableId(pre.ts, pre.session, toolUseId, 'unfinished');
      writer.append({
        type: 'tool_usage',
        session: pre.session,
        agent: pre.agent,
        ts: new Date(pre.ts),
        id,
        data: {
          tool: pre.tool,
          parameters: pre.input as Record<string, unknown>,
          success: false,
          tool_use_id: toolUseId,
          error: 'no result was recorded (interrupted or crashed)',
        },
        meta: { hook: 'PreToolUse', ...(pre.agentId ? { agent_id: pre.agentId } : {}) },
      });
      sessions.add(pre.session);
      result.appended++;
    }

    try {
      await writer.close();
    } catch (error) {
      throw new SatError(
        'LOG_WRITE_FAILED',
        `[core] cannot write the captured hook events: ${(error as Error).message} (the spool files were kept; run 'sat ingest' again)`,
        {
          cause: error,
        },
      );
    }
    const rawDir = join(logsDir, 'raw');
    mkdirSync(rawDir, { recursive: true });
    for (const [session, lines] of raw)
      appendFileSync(join(rawDir, `${session}.jsonl`), `${lines.join('\n')}\n`);
    writeFileAtomic(statePath, `${JSON.stringify(state)}\n`);
    for (const path of done) {
      try {
        unlinkSync(path);
      } catch {}
    }
    result.sessions = [...sessions];
    result.endedSessions = [...ended];
    result.transcripts = [...transcripts];
    result.pendingToolCalls = Object.keys(state.pending).length;
    return result;
  } finally {
    lock.release();
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
