import { ISO_TIME_PATTERN, type NewEvent } from '../events/envelope.js';
import type { EventPayloads, EventType, TokenCounts } from '../events/payloads.js';
import { stableId } from '../ids.js';
import { promptJoinKey, toolJoinKey } from '../log/known-ids.js';
import {
  agentInvocationFromTask,
  decisionsFromTool,
  FILE_TOOLS,
  fileOperationFromTool,
  summarizeToolInput,
  toolErrorPayload,
} from './normalize.js';
import type { TranscriptHead } from './transcript-discovery.js';
import type {
  AgentProgressItem,
  ApiResponseItem,
  ToolResultItem,
  ToolUseItem,
  TranscriptItem,
  UserPromptItem,
} from './transcript-reader.js';
import { SUBAGENT_TOOL_NAMES, type TokenUsage } from './transcript-records.js';

/** Characters of a prompt kept in a `user_prompt` event (`chars` gives the full length). */
export const PROMPT_CHARS = 2000;

/** The model name given to a response whose lines name none. */
export const UNKNOWN_MODEL = 'unknown';

/** One event made from a transcript, with what joins it to events captured by hooks. */
export interface MappedEvent {
  /** The event, with its deterministic `id`, `ts`, `agent` and `meta`. */
  event: NewEvent;
  /**
   * For an event of a tool call: its key in `KnownEvents.toolCalls` (`start:<tool_use_id>` for a
   * started sub-agent invocation, `call:<tool_use_id>` for everything else of the call).
   */
  callKey?: string;
  /** For a `user_prompt`: its key in `KnownEvents.prompts`. */
  promptKey?: string;
  /** For a `tool_usage`: its key in `KnownEvents.toolSpans` and when it ran (ms), to join a hook's call without `tool_use_id`. */
  toolSpan?: { key: string; from: number; to: number };
}

/** A sub-agent run seen in a parent transcript: its name and the id of its `started` event. */
export interface SubagentLink {
  agent: string;
  invocationId: string;
}

/**
 * The `session_start` a main transcript gives (one per session: the caller skips it when the log
 * has one), from its first records: `cwd` and `gitBranch`, at `ts` (the first record's time, else
 * the file's modification time), with the transcript's path in `meta`.
 *
 * @example
 * const head = peekTranscript(path);
 * transcriptSessionStart(session, head, path, head.firstTs ?? new Date(mtimeMs).toISOString());
 */
export function transcriptSessionStart(
  session: string,
  head: Pick<TranscriptHead, 'cwd' | 'gitBranch'>,
  transcriptPath: string,
  ts: string,
): NewEvent<'session_start'> {
  const data: EventPayloads['session_start'] = { client: 'claude-code' };
  if (head.cwd !== undefined) data.cwd = head.cwd;
  if (head.gitBranch !== undefined) data.git_branch = head.gitBranch;
  return {
    type: 'session_start',
    session,
    data,
    ts,
    id: stableId(Date.parse(ts), session, 'session_start'),
    meta: { transcript: transcriptPath },
  };
}

/**
 * The name of a sub-agent whose transcript is imported: the `subagent_type` its parent's
 * Task/Agent call gave (`known`), else `compact` for the compaction run (`acompact-*`), else
 * `agent-<id>`.
 *
 * @example
 * subagentName('acompact-f46190'); // 'compact'
 * subagentName('a7be2f0', { agent: 'Plan' }); // 'Plan'
 */
export function subagentName(agentId: string, known?: { agent: string }): string {
  if (known) return known.agent;
  return agentId.startsWith('acompact') ? 'compact' : `agent-${agentId}`;
}

/** Options of {@link TranscriptEventMapper}. */
export interface TranscriptMapperOptions {
  /** The session the events go to. */
  session: string;
  /** The envelope agent of the file's events: `main`, or the sub-agent's name. */
  agent: string;
  /** For a sub-agent transcript: the sub-agent's id (set as `meta.agent_id` and `api_response.agent_id`). */
  agentId?: string;
  /** For a sub-agent transcript: the invocation event its events belong under. */
  parent?: string;
  /**
   * Whether a sub-agent's own transcript is among the imported files. When it is not, a Task/Agent
   * result adds an `api_response` with source `task_result` from the result's usage.
   */
  hasSubagentTranscript: (agentId: string) => boolean;
  /** Time for records without a usable `timestamp` (before any record had one). */
  fallbackTs: string;
}

interface PendingUse {
  name: string;
  input: unknown;
  ts: string;
  ms: number;
  /** For a Task/Agent call: the sub-agent's name and the started event's id. */
  invocation?: SubagentLink;
  reason?: string;
  /** The model of the assistant line that made the call. */
  model?: string;
}

/**
 * Turns the items of one transcript (from `readTranscript`) into events, with ids that depend only
 * on the source records, so importing the same transcript again gives the same ids:
 *
 * - `api_response` per response (`source: 'transcript'`), the id also covering its figures (a
 *   response read while it was still being written is imported again once complete; totals keep
 *   the largest figures of each response);
 * - `tool_usage` per tool_use/tool_result pair, `error` for a failed call, `file_operation` for a
 *   file tool, `decision`s for AskUserQuestion and ExitPlanMode;
 * - `agent_invocation` `started` at a Task/Agent call and `completed`/`failed` at its result,
 *   plus an `api_response` with source `task_result` when the sub-agent's transcript is missing;
 * - `user_prompt` for what the user typed (main transcripts only).
 *
 * It does no I/O: the importer decides which events are new.
 */
export class TranscriptEventMapper {
  /** Sub-agent runs seen (from Task/Agent results), by agent id. */
  readonly subagents = new Map<string, SubagentLink>();
  /** Models of the API responses mapped. */
  readonly models = new Set<string>();
  private readonly pending = new Map<string, PendingUse>();
  private readonly progressModels = new Map<string, string>();
  private lastTs: string | undefined;

  constructor(private readonly options: TranscriptMapperOptions) {}

  /** The events one item gives (often none). */
  map(item: TranscriptItem): MappedEvent[] {
    switch (item.kind) {
      case 'api_response':
        return [this.apiResponse(item)];
      case 'tool_use':
        return this.toolUse(item);
      case 'tool_result':
        return this.toolResult(item);
      case 'user_prompt':
        return this.options.agentId === undefined ? [this.userPrompt(item)] : [];
      case 'agent_progress':
        this.progress(item);
        return [];
      default:
        if ('ts' in item) this.time(item.ts);
        return [];
    }
  }

  /**
   * Notes the model a sub-agent runs on (from an `agent_progress` line the import did not parse;
   * see `importLineFilter`), for the estimate of a sub-agent whose transcript is missing.
   */
  noteSubagentModel(agentId: string, model: string | undefined): void {
    if (model !== undefined && model !== '<synthetic>') this.progressModels.set(agentId, model);
  }

  /** Tool calls seen without a result (still running, or interrupted); they give no event. */
  get unanswered(): number {
    return this.pending.size;
  }

  private time(ts: string | undefined): { ts: string; ms: number } {
    if (ts !== undefined && ISO_TIME_PATTERN.test(ts)) {
      const ms = Date.parse(ts);
      if (!Number.isNaN(ms)) {
        this.lastTs = ts;
        return { ts, ms };
      }
    }
    const fallback = this.lastTs ?? this.options.fallbackTs;
    return { ts: fallback, ms: Date.parse(fallback) };
  }

  private event<T extends EventType>(
    type: T,
    data: EventPayloads[T],
    at: { ts: string; ms: number },
    key: string[],
    extra: { agent?: string; meta?: Record<string, unknown>; parent?: string } = {},
  ): NewEvent<T> {
    const { session, agentId } = this.options;
    const meta = { ...(agentId !== undefined ? { agent_id: agentId } : {}), ...extra.meta };
    const event: NewEvent<T> = {
      type,
      session,
      data,
      agent: extra.agent ?? this.options.agent,
      ts: at.ts,
      id: stableId(at.ms, session, type, ...key),
    };
    const parent = extra.parent ?? this.options.parent;
    if (parent !== undefined) event.parent = parent;
    if (Object.keys(meta).length > 0) event.meta = meta;
    return event;
  }

  private apiResponse(item: ApiResponseItem): MappedEvent {
    const at = this.time(item.ts);
    const model = item.model || UNKNOWN_MODEL;
    this.models.add(model);
    const data: EventPayloads['api_response'] = {
      model,
      message_id: item.messageId,
      tokens: counts(item.usage),
      source: 'transcript',
    };
    if (item.requestId !== undefined) data.request_id = item.requestId;
    if (item.usage.cacheSplitKnown) data.cache_creation_1h = item.usage.cacheCreation1h;
    if (this.options.agentId !== undefined) data.agent_id = this.options.agentId;
    if (item.serviceTier !== undefined) data.service_tier = item.serviceTier;
    const t = data.tokens;
    const figures = `${t.input}/${t.output}/${t.cacheCreation}/${t.cacheRead}/${data.cache_creation_1h ?? ''}`;
    return {
      event: this.event('api_response', data, at, [item.messageId, item.requestId ?? '', figures]),
    };
  }

  private progress(item: AgentProgressItem): void {
    this.time(item.ts);
    this.noteSubagentModel(item.subagentId, item.model);
  }

  private toolUse(item: ToolUseItem): MappedEvent[] {
    const at = this.time(item.ts);
    const use: PendingUse = { name: item.name, input: item.input, ...at };
    if (item.model !== undefined) use.model = item.model;
    this.pending.set(item.id, use);
    if (!SUBAGENT_TOOL_NAMES.includes(item.name)) return [];
    const data = { ...agentInvocationFromTask(item.input, this.options.agent), tool_use_id: item.id };
    const event = this.event('agent_invocation', data, at, [item.id, 'started'], { agent: data.agent });
    use.invocation = { agent: data.agent, invocationId: event.id! };
    if (data.reason !== undefined) use.reason = data.reason;
    return [{ event, callKey: `start:${item.id}` }];
  }

  private toolResult(item: ToolResultItem): MappedEvent[] {
    const done = this.time(item.ts);
    const id = item.toolUseId;
    const use = this.pending.get(id);
    this.pending.delete(id);
    const tool = use?.name ?? item.toolName ?? 'unknown';
    const callKey = `call:${id}`;
    const out: MappedEvent[] = [];
    const usage: EventPayloads['tool_usage'] = { tool, success: !item.isError, tool_use_id: id };
    if (use) {
      usage.parameters = summarizeToolInput(use.input);
      if (!Number.isNaN(use.ms) && !Number.isNaN(done.ms)) usage.duration_ms = Math.max(0, done.ms - use.ms);
    }
    if (item.isError && item.contentSummary) usage.error = item.contentSummary.slice(0, 500);
    const start = use ?? done;
    const toolSpan = { key: toolJoinKey(tool, usage.parameters), from: start.ms, to: done.ms };
    out.push({ event: this.event('tool_usage', usage, start, [id]), callKey, toolSpan });
    if (item.isError) {
      const error = toolErrorPayload(tool, item.contentSummary || 'the tool call failed', id);
      out.push({ event: this.event('error', error, done, [id]), callKey });
    }
    if (use && !item.isError && FILE_TOOLS.includes(tool)) {
      const operation = fileOperationFromTool(tool, use.input, item.toolUseResult);
      if (operation)
        out.push({
          event: this.event('file_operation', operation, done, [id], { meta: { tool_use_id: id } }),
          callKey,
        });
    }
    if (use) {
      decisionsFromTool(tool, use.input, item.toolUseResult, item.contentSummary, item.isError).forEach(
        (decision, i) => {
          out.push({
            event: this.event('decision', decision, done, [id, String(i)], { meta: { tool_use_id: id } }),
            callKey,
          });
        },
      );
    }
    if (SUBAGENT_TOOL_NAMES.includes(tool)) out.push(...this.invocationEnd(item, use, done, callKey));
    return out;
  }

  private invocationEnd(
    item: ToolResultItem,
    use: PendingUse | undefined,
    done: { ts: string; ms: number },
    callKey: string,
  ): MappedEvent[] {
    const id = item.toolUseId;
    const run = item.subagent;
    const started = use?.invocation ?? {
      agent: agentInvocationFromTask(undefined, this.options.agent).agent,
      invocationId: stableId(done.ms, this.options.session, 'agent_invocation', id, 'started'),
    };
    const agentId = run?.agentId;
    const model = agentId !== undefined ? this.progressModels.get(agentId) : undefined;
    const succeeded = !item.isError && (run?.status === undefined || run.status === 'completed');
    const data: EventPayloads['agent_invocation'] = {
      agent: started.agent,
      invoked_by: this.options.agent,
      status: item.isError ? 'failed' : 'completed',
      success: succeeded,
      tool_use_id: id,
    };
    if (use?.reason !== undefined) data.reason = use.reason;
    if (agentId !== undefined) data.agent_id = agentId;
    if (run?.totalDurationMs !== undefined) data.duration_ms = Math.max(0, run.totalDurationMs);
    else if (use && !Number.isNaN(use.ms) && !Number.isNaN(done.ms))
      data.duration_ms = Math.max(0, done.ms - use.ms);
    if (run?.usage) data.tokens = counts(run.usage);
    if (model !== undefined) data.model = model;
    const context: Record<string, unknown> = {};
    if (run?.status !== undefined && run.status !== 'completed') context.result_status = run.status;
    if (run?.totalToolUseCount !== undefined) context.tool_uses = run.totalToolUseCount;
    if (run?.totalTokens !== undefined) context.total_tokens_reported = run.totalTokens;
    if (Object.keys(context).length > 0) data.context = context;
    const parent = { parent: started.invocationId, agent: started.agent };
    const out: MappedEvent[] = [
      { event: this.event('agent_invocation', data, done, [id, 'finished'], parent), callKey },
    ];
    if (agentId === undefined) return out;
    this.subagents.set(agentId, started);
    if (run?.usage && !this.options.hasSubagentTranscript(agentId)) {
      // The sub-agent's own transcript is not here: its usage is known only from this result
      // (its last API call). Totals drop this estimate as soon as the transcript is imported.
      // Without the sub-agent's own model, the parent's model for this call prices it.
      const estimate: EventPayloads['api_response'] = {
        model: model ?? use?.model ?? UNKNOWN_MODEL,
        message_id: `task_result:${id}`,
        tokens: counts(run.usage),
        source: 'task_result',
        agent_id: agentId,
      };
      if (run.usage.cacheSplitKnown) estimate.cache_creation_1h = run.usage.cacheCreation1h;
      this.models.add(estimate.model);
      out.push({
        event: this.event('api_response', estimate, done, ['task_result', id], {
          ...parent,
          meta: { tool_use_id: id },
        }),
      });
    }
    return out;
  }

  private userPrompt(item: UserPromptItem): MappedEvent {
    const at = this.time(item.ts);
    const data: EventPayloads['user_prompt'] = {
      text: item.text.slice(0, PROMPT_CHARS),
      chars: item.text.length,
    };
    if (item.command !== undefined) data.command = item.command;
    return {
      event: this.event('user_prompt', data, at, [item.uuid ?? `line:${item.line}`]),
      promptKey: promptJoinKey(data.text, data.chars),
    };
  }
}

function counts(usage: TokenUsage): TokenCounts {
  return {
    input: usage.input,
    output: usage.output,
    cacheCreation: usage.cacheCreation,
    cacheRead: usage.cacheRead,
  };
}
