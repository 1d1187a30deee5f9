import { type EventPayloads, MAX_DURATION_MS } from '../events/payloads.js';
import { toolJoinKey, toolSpanJoins } from '../log/known-ids.js';
import type { HookEvent, HookInput, HookOutcome, PendingToolCall } from './hook-handler.js';
import { clip, nonEmptyString } from './hook-payload.js';
import {
  agentInvocationFromTask,
  decisionsFromTool,
  fileOperationFromTool,
  summarizeToolInput,
  toolErrorPayload,
} from './normalize.js';
import { SUBAGENT_TOOL_NAMES, subagentRunResult } from './transcript-records.js';

/** The call this payload answers, when its PreToolUse was seen. */
function pendingCall(input: HookInput, toolUseId: string): PendingToolCall | undefined {
  const { pendingCalls } = input.context;
  return Object.hasOwn(pendingCalls, toolUseId) ? pendingCalls[toolUseId] : undefined;
}

/** A duration from a payload when it is one an event may carry (finite, 0 to 7 days), else undefined. */
function saneDuration(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_MS
    ? value
    : undefined;
}

/**
 * `duration_ms` when Claude Code sent a sane one, else the time since the PreToolUse (if sane);
 * an out-of-range duration is dropped, never a reason to refuse the payload.
 */
function callDuration(input: HookInput, started: PendingToolCall | undefined): number | undefined {
  const reported = saneDuration(input.payload.duration_ms);
  if (reported !== undefined) return reported;
  // Spool file times carry fractions of a millisecond: a derived duration is whole milliseconds.
  if (started) return saneDuration(Math.max(0, Math.round(input.context.ts - started.ts)));
  return undefined;
}

/**
 * PreToolUse: the call is kept until its result; a Task/Agent call also starts an
 * `agent_invocation` (once per `tool_use_id`, whoever recorded it first).
 */
export function preToolUse(input: HookInput): HookOutcome {
  const { payload, agent, agentId, context } = input;
  const toolUseId = nonEmptyString(payload.tool_use_id);
  if (!toolUseId) return {};
  const tool = nonEmptyString(payload.tool_name) ?? 'unknown';
  const call: PendingToolCall = {
    session: payload.session_id,
    ts: context.ts,
    tool,
    input: summarizeToolInput(payload.tool_input),
    agent,
    ...(agentId ? { agentId } : {}),
  };
  const startedCall = { toolUseId, call };
  const startKey = `start:${toolUseId}`;
  if (!SUBAGENT_TOOL_NAMES.includes(tool) || context.recordedToolCalls.has(startKey)) return { startedCall };
  const started = agentInvocationFromTask(payload.tool_input, agent);
  const data = { ...started, tool_use_id: toolUseId };
  return {
    startedCall,
    recordedToolCalls: [startKey],
    events: [input.event('agent_invocation', data, 'invocation-start', { agent: started.agent })],
  };
}

/** PostToolUse (`failed` false) and PostToolUseFailure (`failed` true). */
export function toolResult(input: HookInput, failed: boolean): HookOutcome {
  const { payload } = input;
  const tool = nonEmptyString(payload.tool_name) ?? 'unknown';
  const parameters = summarizeToolInput(payload.tool_input);
  const toolUseId = nonEmptyString(payload.tool_use_id);
  if (!toolUseId) {
    const spans = input.context.recordedTools?.get(toolJoinKey(tool, parameters));
    if (toolSpanJoins(spans, input.context.ts, input.context.ts, true)) return { alreadyRecorded: true };
    return { events: [input.event('tool_usage', { tool, success: !failed, parameters }, 'tool')] };
  }
  const callKey = `call:${toolUseId}`;
  if (input.context.recordedToolCalls.has(callKey)) return { answeredCall: toolUseId, alreadyRecorded: true };
  const duration = callDuration(input, pendingCall(input, toolUseId));
  const error = failed
    ? typeof payload.error === 'string'
      ? payload.error
      : 'the tool call failed'
    : undefined;
  const usage: EventPayloads['tool_usage'] = { tool, parameters, success: !failed, tool_use_id: toolUseId };
  if (duration !== undefined) usage.duration_ms = duration;
  if (error !== undefined) usage.error = clip(error, 500);
  const events = [input.event('tool_usage', usage, 'tool')];
  if (error !== undefined) {
    const message = payload.is_interrupt === true ? `Interrupted: ${error}` : error;
    events.push(input.event('error', toolErrorPayload(tool, message, toolUseId), 'error'));
  } else {
    events.push(...successEvents(input, tool, toolUseId, duration));
  }
  return { answeredCall: toolUseId, recordedToolCalls: [callKey], events };
}

/** What a successful call adds to its `tool_usage`: file operation, decisions, sub-agent result. */
function successEvents(
  input: HookInput,
  tool: string,
  toolUseId: string,
  duration: number | undefined,
): HookEvent[] {
  const { tool_input: toolInput, tool_response: response } = input.payload;
  const meta = { tool_use_id: toolUseId };
  const events: HookEvent[] = [];
  const fileOperation = fileOperationFromTool(tool, toolInput, response);
  if (fileOperation) events.push(input.event('file_operation', fileOperation, 'file', { meta }));
  const responseText = typeof response === 'string' ? response : '';
  decisionsFromTool(tool, toolInput, response, responseText || 'approved').forEach((decision, i) => {
    events.push(input.event('decision', decision, `decision-${i}`, { meta }));
  });
  if (SUBAGENT_TOOL_NAMES.includes(tool)) events.push(subagentFinished(input, toolUseId, duration));
  return events;
}

/**
 * The finished `agent_invocation` of a Task/Agent call, from its result's `agentId`, `status`,
 * `totalDurationMs` (else the call's duration) and `usage`.
 */
function subagentFinished(input: HookInput, toolUseId: string, duration: number | undefined): HookEvent {
  const run = subagentRunResult(input.payload.tool_response);
  const started = agentInvocationFromTask(input.payload.tool_input, input.agent);
  const completed = !run?.status || run.status === 'completed';
  const data: EventPayloads['agent_invocation'] = {
    agent: started.agent,
    invoked_by: input.agent,
    status: completed ? 'completed' : 'failed',
    success: completed,
    tool_use_id: toolUseId,
  };
  if (started.reason) data.reason = started.reason;
  if (run?.agentId) data.agent_id = run.agentId;
  const runDuration = saneDuration(run?.totalDurationMs) ?? duration;
  if (runDuration !== undefined) data.duration_ms = runDuration;
  if (run?.usage) {
    const { input: inputTokens, output, cacheCreation, cacheRead } = run.usage;
    data.tokens = { input: inputTokens, output, cacheCreation, cacheRead };
  }
  return input.event('agent_invocation', data, 'invocation-end', { agent: started.agent });
}
