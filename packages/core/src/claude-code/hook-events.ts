import { stableId } from '../ids.js';
import { promptJoinKey } from '../log/known-ids.js';
import {
  type HookContext,
  type HookEvent,
  type HookHandler,
  type HookOutcome,
  hookInput,
  type PendingToolCall,
} from './hook-handler.js';
import { clip, type HookPayload, nonEmptyString } from './hook-payload.js';
import { preToolUse, toolResult } from './hook-tool-events.js';

/** What one hook payload gives: its events, and the changes to what is known of the session. */
export interface HookMapping extends HookOutcome {
  /** `hook_event_name` (`unknown` when the payload has none). */
  hook: string;
  events: HookEvent[];
  recordedToolCalls: string[];
  /** Set to `hook` when no handler knows this hook event: no event, only the raw copy keeps it. */
  unknownHook?: string;
  /** Transcript files the payload names (`transcript_path`, `agent_transcript_path`). */
  transcripts: string[];
}

const turnEnd: HookHandler = ({ payload, event }) => {
  const last =
    typeof payload.last_assistant_message === 'string' ? payload.last_assistant_message : undefined;
  const data = {
    ...(last ? { last_message: clip(last) } : {}),
    ...(typeof payload.stop_hook_active === 'boolean' ? { stop_hook_active: payload.stop_hook_active } : {}),
  };
  return { events: [event('turn_end', data, 'turn')] };
};

const compaction =
  (phase: 'pre' | 'post'): HookHandler =>
  ({ payload, event }) => {
    const trigger = `${phase}-compact:${nonEmptyString(payload.trigger) ?? 'unknown'}`;
    return { events: [event('context_snapshot', { trigger }, 'compact')] };
  };

const HOOK_HANDLERS: ReadonlyMap<string, HookHandler> = new Map<string, HookHandler>([
  [
    'SessionStart',
    ({ payload, event, context }) => {
      const source = nonEmptyString(payload.source);
      // The session's start is already recorded (the transcript import got there first).
      if (context.sessionStarted && (source === undefined || source === 'startup'))
        return { alreadyRecorded: true };
      const model = nonEmptyString(payload.model);
      const data = {
        client: 'claude-code',
        ...(source ? { source } : {}),
        ...(typeof payload.cwd === 'string' ? { cwd: payload.cwd } : {}),
        ...(model ? { model } : {}),
      };
      return { events: [event('session_start', data, 'start')] };
    },
  ],
  [
    'UserPromptSubmit',
    ({ payload, event, context }) => {
      const prompt = typeof payload.prompt === 'string' ? payload.prompt : '';
      const text = clip(prompt);
      if (context.recordedPrompts?.has(promptJoinKey(text, prompt.length))) return { alreadyRecorded: true };
      return { events: [event('user_prompt', { text, chars: prompt.length }, 'prompt')] };
    },
  ],
  ['PreToolUse', preToolUse],
  ['PostToolUse', (input) => toolResult(input, false)],
  ['PostToolUseFailure', (input) => toolResult(input, true)],
  [
    'SubagentStart',
    ({ payload, agentId }) => {
      const agentType = nonEmptyString(payload.agent_type);
      return agentId && agentType ? { agentType: { agentId, agentType } } : {};
    },
  ],
  ['SubagentStop', turnEnd],
  ['Stop', turnEnd],
  ['PreCompact', compaction('pre')],
  ['PostCompact', compaction('post')],
  [
    'Notification',
    ({ payload, event }) => {
      const title = nonEmptyString(payload.title);
      const type = nonEmptyString(payload.notification_type);
      const data = {
        message: typeof payload.message === 'string' ? clip(payload.message, 1000) : '',
        ...(title ? { title } : {}),
        ...(type ? { notification_type: type } : {}),
      };
      return { events: [event('notification', data, 'notification')] };
    },
  ],
  [
    'SessionEnd',
    ({ payload, event }) => {
      const reason = nonEmptyString(payload.reason);
      return { events: [event('session_end', reason ? { reason } : {}, 'end')], ended: true };
    },
  ],
]);

/** The hook event names {@link mapHookPayload} maps; any other is counted as unknown. */
export const MAPPED_HOOK_EVENTS: readonly string[] = [...HOOK_HANDLERS.keys()];

/**
 * Maps one Claude Code hook payload to events, without reading or writing anything: what is known
 * of the session comes in `context`, and what changes (tool calls now recorded, a call to keep
 * until its result or one it answers, a sub-agent's type, the session's end) comes back with the
 * events. Event ids are `stableId(context.ts, session, context.file, <key>)`, so mapping the same
 * spool file again gives the same events; the caller drops those its log already has.
 *
 * SessionStart, UserPromptSubmit, Stop/SubagentStop, PreCompact/PostCompact, Notification and
 * SessionEnd give one event each; PreToolUse is kept (a Task/Agent call starts an
 * `agent_invocation`); PostToolUse gives `tool_usage` and its `file_operation`, `decision`s and
 * finished `agent_invocation`; PostToolUseFailure a failed `tool_usage` and an `error`;
 * SubagentStart only names the sub-agent. Events inside a sub-agent are attributed to it.
 *
 * @example
 * const mapping = mapHookPayload(
 *   { session_id: 's1', hook_event_name: 'UserPromptSubmit', prompt: 'fix the tests' },
 *   { file: '1770000000000000000-42.json', ts: 1770000000000, recordedToolCalls: new Set(), pendingCalls: {}, agentTypes: {} },
 * );
 * mapping.events[0]!.data; // { text: 'fix the tests', chars: 13 }
 */
export function mapHookPayload(payload: HookPayload, context: HookContext): HookMapping {
  const hook = nonEmptyString(payload.hook_event_name) ?? 'unknown';
  const transcripts = [
    nonEmptyString(payload.transcript_path),
    nonEmptyString(payload.agent_transcript_path),
  ].filter((path): path is string => path !== undefined);
  const handler = HOOK_HANDLERS.get(hook);
  if (!handler) return { hook, events: [], recordedToolCalls: [], unknownHook: hook, transcripts };
  const outcome = handler(hookInput(payload, hook, context));
  return {
    ...outcome,
    hook,
    events: outcome.events ?? [],
    recordedToolCalls: outcome.recordedToolCalls ?? [],
    transcripts,
  };
}

/** How long a PreToolUse may wait for its result before it is recorded as unfinished: 1 hour. */
export const UNFINISHED_AFTER_MS = 3_600_000;

/** A call whose result never came, with the failed `tool_usage` that records it. */
export interface UnfinishedCall {
  toolUseId: string;
  call: PendingToolCall;
  /** Its id is `stableId(call.ts, session, tool_use_id, 'unfinished')`. */
  event: HookEvent;
}

/**
 * The pending calls that waited `afterMs` (default {@link UNFINISHED_AFTER_MS}) or longer by `now`
 * (the agent was interrupted, or crashed), in the order they were kept, each with its failed
 * `tool_usage`. The caller forgets them, and writes the events of those its log does not record.
 *
 * @example
 * unfinishedCalls(state.pending, Date.now()).map((u) => u.toolUseId);
 */
export function unfinishedCalls(
  pending: Readonly<Record<string, PendingToolCall>>,
  now: number,
  afterMs = UNFINISHED_AFTER_MS,
): UnfinishedCall[] {
  const out: UnfinishedCall[] = [];
  for (const [toolUseId, call] of Object.entries(pending)) {
    if (now - call.ts < afterMs) continue;
    const event: HookEvent = {
      type: 'tool_usage',
      session: call.session,
      agent: call.agent,
      ts: new Date(call.ts),
      id: stableId(call.ts, call.session, toolUseId, 'unfinished'),
      data: {
        tool: call.tool,
        parameters: call.input as Record<string, unknown>,
        success: false,
        tool_use_id: toolUseId,
        error: 'no result was recorded (interrupted or crashed)',
      },
      meta: { hook: 'PreToolUse', ...(call.agentId ? { agent_id: call.agentId } : {}) },
    };
    out.push({ toolUseId, call, event });
  }
  return out;
}
