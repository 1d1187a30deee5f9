import type { NewEvent } from '../events/envelope.js';
import type { EventPayloads, EventType } from '../events/payloads.js';
import { stableId } from '../ids.js';
import type { ToolSpan } from '../log/known-ids.js';
import { type HookPayload, nonEmptyString } from './hook-payload.js';

/** A PreToolUse call waiting for its PostToolUse, as kept between ingest runs. */
export interface PendingToolCall {
  session: string;
  /** Capture time of the PreToolUse, in ms. */
  ts: number;
  tool: string;
  /** The tool input, shortened by `summarizeToolInput`. */
  input: unknown;
  /** The agent the call is attributed to (`main`, or the sub-agent's type). */
  agent: string;
  /** The sub-agent's `agent_id`, for a call made inside one. */
  agentId?: string;
}

/**
 * What is known of the session when one hook payload is mapped; read only, never changed by the
 * mapping (its changes are returned, see `HookMapping`).
 */
export interface HookContext {
  /** The spool file's name: part of every event id. */
  file: string;
  /** The capture time, in ms: the events' `ts` and part of their ids. */
  ts: number;
  /** Tool calls the log already records (`KnownEvents.toolCalls`: `start:<id>`, `call:<id>`). */
  recordedToolCalls: ReadonlySet<string>;
  /** Prompts the log already records (`KnownEvents.prompts`), to join with the transcript import. */
  recordedPrompts?: ReadonlySet<string>;
  /** `tool_usage` spans the log already records (`KnownEvents.toolSpans`), for calls without a `tool_use_id`. */
  recordedTools?: ReadonlyMap<string, readonly ToolSpan[]>;
  /** True when the log already has a `session_start` (from the transcript import or an earlier hook). */
  sessionStarted?: boolean;
  /** PreToolUse calls still waiting for their result, by `tool_use_id`. */
  pendingCalls: Readonly<Record<string, PendingToolCall>>;
  /** Sub-agent types by `agent_id`, from earlier SubagentStart payloads. */
  agentTypes: Readonly<Record<string, string>>;
}

/** An event made from a hook payload: its `id`, `ts`, `agent` and `meta` are always set. */
export type HookEvent = NewEvent & { id: string; ts: Date; agent: string; meta: Record<string, unknown> };

/** What one handler makes of its payload (all optional: most give one event and nothing else). */
export interface HookOutcome {
  events?: HookEvent[];
  /** Tool-call keys now recorded (`start:<id>`, `call:<id>`), to add to `KnownEvents.toolCalls`. */
  recordedToolCalls?: string[];
  /** A PreToolUse call to keep until its result arrives. */
  startedCall?: { toolUseId: string; call: PendingToolCall };
  /** The `tool_use_id` of a pending call this payload answers (to forget). */
  answeredCall?: string;
  /** The tool call was recorded before (an earlier run, or the transcript import): nothing is written. */
  alreadyRecorded?: boolean;
  /** A sub-agent's type, from SubagentStart. */
  agentType?: { agentId: string; agentType: string };
  /** SessionEnd: the session ended. */
  ended?: boolean;
}

/** Options of {@link HookInput.event}. */
export interface HookEventOptions {
  /** Fields added to `meta` after `hook` and `agent_id`. */
  meta?: Record<string, unknown>;
  /** The envelope agent, when it is not the payload's own (the sub-agent a Task call launches). */
  agent?: string;
}

/** One payload as a handler sees it: the payload, the session's knowledge and an event builder. */
export interface HookInput {
  payload: HookPayload;
  /** `hook_event_name`. */
  hook: string;
  context: HookContext;
  /** The agent the payload is attributed to: `agent_type`, else the type SubagentStart gave, else `main`. */
  agent: string;
  /** `agent_id`, inside a sub-agent. */
  agentId?: string;
  /** An event of this payload, with the id `stableId(ts, session, file, key)`. */
  event<T extends EventType>(
    type: T,
    data: EventPayloads[T],
    key: string,
    options?: HookEventOptions,
  ): HookEvent;
}

/** Maps one hook payload; handlers are chosen by `hook_event_name`. */
export type HookHandler = (input: HookInput) => HookOutcome;

/**
 * The agent a payload is attributed to: its `agent_type`; else, inside a sub-agent, the type its
 * SubagentStart gave (or `agent-<agent_id>`); else `main`.
 *
 * @example
 * attributedAgent(undefined, 'a1', { a1: 'Explore' }); // 'Explore'
 */
export function attributedAgent(
  agentType: string | undefined,
  agentId: string | undefined,
  agentTypes: Readonly<Record<string, string>>,
): string {
  if (agentType) return agentType;
  if (!agentId) return 'main';
  return Object.hasOwn(agentTypes, agentId) ? agentTypes[agentId]! : `agent-${agentId}`;
}

/**
 * The {@link HookInput} of one payload: who it is attributed to, and the builder of its events.
 *
 * @example
 * const input = hookInput(payload, 'PreToolUse', context);
 * input.event('user_prompt', { text: 'hi', chars: 2 }, 'prompt');
 */
export function hookInput(payload: HookPayload, hook: string, context: HookContext): HookInput {
  const agentId = nonEmptyString(payload.agent_id);
  const agent = attributedAgent(nonEmptyString(payload.agent_type), agentId, context.agentTypes);
  const session = payload.session_id;
  const event = <T extends EventType>(
    type: T,
    data: EventPayloads[T],
    key: string,
    options: HookEventOptions = {},
  ): HookEvent =>
    ({
      type,
      session,
      data,
      agent: options.agent ?? agent,
      ts: new Date(context.ts),
      id: stableId(context.ts, session, context.file, key),
      meta: { hook, ...(agentId ? { agent_id: agentId } : {}), ...options.meta },
    }) as HookEvent;
  return { payload, hook, context, agent, ...(agentId ? { agentId } : {}), event };
}
