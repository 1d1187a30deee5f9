import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { describeSystemError, SatError } from '../errors.js';
import { type RawLine, splitLines } from '../log/line-splitter.js';
import {
  type AssistantRecord,
  classifyRecord,
  contentBlocks,
  isObject,
  isTextBlock,
  isToolResultBlock,
  isToolUseBlock,
  maxUsage,
  normalizeUsage,
  type ProgressRecord,
  SUBAGENT_TOOL_NAMES,
  type SubagentRunResult,
  type SummaryRecord,
  SYNTHETIC_MODEL,
  type SystemRecord,
  str,
  subagentRunResult,
  type TokenUsage,
  type TranscriptRecord,
  toolResultText,
  type UserRecord,
} from './transcript-records.js';

/** Where an item comes from, and the context fields every line carries. */
export interface ItemContext {
  /** 1-based line number in the transcript (for an API response: its first line). */
  line: number;
  /** Byte offset of that line. */
  offset: number;
  /** The line's `timestamp` (ISO 8601), when it has one. */
  ts?: string;
  /** The line's `uuid`. */
  uuid?: string;
  sessionId?: string;
  /** The sub-agent's id, on lines of a sub-agent transcript. */
  agentId?: string;
  /** True on sub-agent lines. */
  isSidechain: boolean;
}

/**
 * One API response, counted once per `(messageId, requestId)` with the largest figures seen on
 * any of its lines (early lines can carry a partial `output_tokens`).
 */
export interface ApiResponseItem extends ItemContext {
  kind: 'api_response';
  /** `message.id` (`msg_...`); for a line without one, `line:<n>` (and a `missing-id` issue). */
  messageId: string;
  /** `requestId` (`req_...`), when the lines have one. */
  requestId?: string;
  /** The model id exactly as written, e.g. `claude-haiku-4-5-20251001` (empty if none). */
  model: string;
  usage: TokenUsage;
  /** `usage.service_tier`, e.g. `standard`. */
  serviceTier?: string;
  /** The last non-null `stop_reason` among the lines (often null in transcripts). */
  stopReason?: string;
  /** Timestamp of the response's last line. */
  lastTs?: string;
  lastLine: number;
  /** How many lines carried this response. */
  lineCount: number;
  /** The `usage` object of the line with the most output tokens, untouched (for fields not normalized here). */
  rawUsage?: Record<string, unknown>;
}

/** A `tool_use` content block (once per block id). */
export interface ToolUseItem extends ItemContext {
  kind: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  /** The API response it belongs to. */
  messageId?: string;
  requestId?: string;
  /** For `Task`/`Agent` calls: `input.subagent_type` (e.g. `Plan`, `Explore`). */
  subagentType?: string;
  /** The model of the assistant line carrying the call (`message.model`), when it names one. */
  model?: string;
}

/** A `tool_result` content block (once per `tool_use_id`). */
export interface ToolResultItem extends ItemContext {
  kind: 'tool_result';
  toolUseId: string;
  /** The name of the matching `tool_use`, when it was seen earlier in the same file. */
  toolName?: string;
  /** True only when the block says `is_error: true`. */
  isError: boolean;
  /** The first characters (default 500) of the result's text. */
  contentSummary: string;
  /**
   * The line's `toolUseResult` as written (object or string), e.g. `{ stdout, stderr }` for Bash or
   * `{ status, agentId, totalTokens, usage, totalDurationMs, totalToolUseCount }` for Task/Agent.
   * Only set when the line holds exactly one tool_result (otherwise it could not be attributed).
   */
  toolUseResult?: unknown;
  /** Set when `toolUseResult` describes a sub-agent run (it has an `agentId`). */
  subagent?: SubagentRunResult;
}

/** A prompt: typed by the user, a slash command, or (on sub-agent lines) the task given to a sub-agent. */
export interface UserPromptItem extends ItemContext {
  kind: 'user_prompt';
  /** The text blocks joined by newlines, as written (slash commands keep their `<command-name>` tags). */
  text: string;
  /** For a slash command: its name, e.g. `/mcp`. */
  command?: string;
  /** For a slash command: `<command-args>`. */
  commandArgs?: string;
  /** Number of image blocks sent with the prompt. */
  images: number;
}

/** The user stopped the agent (`[Request interrupted by user]`). */
export interface InterruptItem extends ItemContext {
  kind: 'interrupt';
  /** True for `[Request interrupted by user for tool use]`. */
  duringToolUse: boolean;
}

/** A `text` block of an assistant response (one per block, in order). */
export interface AssistantTextItem extends ItemContext {
  kind: 'assistant_text';
  text: string;
  messageId?: string;
}

/**
 * An assistant line Claude Code made up (`model: "<synthetic>"`): an API error, a rate-limit
 * notice, "No response requested.". Not an API response; costs nothing.
 */
export interface SyntheticMessageItem extends ItemContext {
  kind: 'synthetic_message';
  text: string;
  /** The line's `isApiErrorMessage`. */
  isApiError: boolean;
  apiErrorStatus?: number;
  /** The line's `error`, e.g. `rate_limit`. */
  error?: string;
}

/**
 * A step of a running sub-agent, reported in the parent's transcript. The copy of the sub-agent's
 * message it carries is NOT counted as an API response (its tokens belong to the sub-agent).
 */
export interface AgentProgressItem extends ItemContext {
  kind: 'agent_progress';
  /** The sub-agent (`data.agentId`). */
  subagentId: string;
  /** The parent's Task/Agent `tool_use` id. */
  parentToolUseId?: string;
  /** `user` or `assistant`: which kind of sub-agent message this step copies. */
  messageType?: string;
  /** The copied assistant message's id, when there is one. */
  messageId?: string;
  model?: string;
}

/** The context was compacted (`system` subtype `compact_boundary`). */
export interface CompactBoundaryItem extends ItemContext {
  kind: 'compact_boundary';
  /** `manual` or `auto`. */
  trigger?: string;
  /** Context size before compaction. */
  preTokens?: number;
  logicalParentUuid?: string;
}

/** The user line carrying the summary a compaction wrote (`isCompactSummary`). */
export interface CompactSummaryItem extends ItemContext {
  kind: 'compact_summary';
  text: string;
}

/** Any other `system` line (`stop_hook_summary`, `local_command`, `turn_duration`, ...). */
export interface SystemItem extends ItemContext {
  kind: 'system';
  /** `subtype`, or `(none)`. */
  subtype: string;
  level?: string;
  content?: string;
}

/** A `summary` record (a title for the conversation up to `leafUuid`). */
export interface SummaryItem extends ItemContext {
  kind: 'summary';
  summary: string;
  leafUuid?: string;
}

/** Facts about the whole file, yielded once, last. */
export interface SessionInfoItem {
  kind: 'session_info';
  file: string;
  /** The first `sessionId` seen (a sub-agent file carries its parent's). */
  sessionId?: string;
  /** The first `agentId` seen (sub-agent transcripts only). */
  agentId?: string;
  /** The first `cwd` seen. */
  cwd?: string;
  gitBranch?: string;
  /** The first Claude Code `version` seen. */
  version?: string;
  slug?: string;
  /** Earliest and latest `timestamp`. */
  firstTs?: string;
  lastTs?: string;
  /** True when any line is a sidechain (sub-agent) line. */
  isSidechain: boolean;
  /** Number of lines read (blank lines included). */
  lines: number;
}

/** Everything {@link readTranscript} yields. Switch on `kind`. */
export type TranscriptItem =
  | ApiResponseItem
  | ToolUseItem
  | ToolResultItem
  | UserPromptItem
  | InterruptItem
  | AssistantTextItem
  | SyntheticMessageItem
  | AgentProgressItem
  | CompactBoundaryItem
  | CompactSummaryItem
  | SystemItem
  | SummaryItem
  | SessionInfoItem;

/** A problem found in a transcript. Never fatal: the line is skipped and reading goes on. */
export interface TranscriptIssue {
  /**
   * - `unparseable`: not JSON, not an object, cut off (last line without newline) or too long;
   * - `unknown-type`: a record `type` this reader does not know (kept out of the items);
   * - `missing-id`: an assistant line with usage but no `message.id` (counted on its own);
   * - `late-response-line`: (`responseFlush: 'thread'` only) a line of an already emitted
   *   response came later with larger figures, which were not counted.
   */
  kind: 'unparseable' | 'unknown-type' | 'missing-id' | 'late-response-line';
  file: string;
  line: number;
  offset: number;
  message: string;
  /** For `unknown-type`: the record type (`(none)` when it has none). */
  recordType?: string;
}

/** Options of {@link readTranscript}. */
export interface ReadTranscriptOptions {
  /** Told about every problem found. Default: problems are skipped silently. */
  onIssue?: (issue: TranscriptIssue) => void;
  /**
   * When API responses are yielded.
   * - `'end'` (default): all at the end, in order of first line. Always exact, whatever the line
   *   order; memory O(responses).
   * - `'thread'`: as soon as the same thread (session + agent) starts another response, so they
   *   come close to their lines. Exact as long as a response's lines come before the next
   *   response of its thread (true of Claude Code); a later line with larger figures is reported
   *   as `late-response-line` and not counted.
   */
  responseFlush?: 'end' | 'thread';
  /** Longest line kept, in bytes (longer ones are reported as unparseable). Default 64 MiB. */
  maxLineBytes?: number;
  /** Read chunk size in bytes. Default 64 KiB. */
  chunkBytes?: number;
  /** Characters kept in `ToolResultItem.contentSummary`. Default 500. */
  summaryChars?: number;
  /**
   * Lines for which this returns true are not parsed and yield nothing (nor count for
   * `session_info`): for callers that need only some records and can tell the others by their
   * bytes, such as progress lines. Default: every line is parsed.
   */
  skipLine?: (bytes: Buffer) => boolean;
  /**
   * Read with synchronous reads instead of a stream: no round trip through libuv's thread pool per
   * chunk, which makes batch imports of many files faster, at the price of blocking the event loop
   * while each chunk is read. Default false.
   */
  blockingRead?: boolean;
}

interface SessionFacts {
  sessionId?: string;
  agentId?: string;
  cwd?: string;
  gitBranch?: string;
  version?: string;
  slug?: string;
  firstTs?: string;
  firstMs?: number;
  lastTs?: string;
  lastMs?: number;
  isSidechain: boolean;
  lines: number;
}

const COMMAND_OUTPUT =
  /^\s*<(local-command-stdout|local-command-stderr|local-command-caveat|bash-stdout|bash-stderr)>/;
const INTERRUPT = /^\s*\[Request interrupted by user/;

/**
 * Streams a Claude Code transcript (`.jsonl`, any size) and yields normalized items, in bounded
 * memory: the file is read in chunks and split with `splitLines`; besides the current line the
 * reader keeps only the responses not yet yielded and the ids of tool calls seen (to yield each
 * once). Bad lines and unknown record types are reported through `onIssue` and skipped; a file
 * that cannot be read throws `SatError('IO_ERROR')`.
 *
 * Each API response is yielded exactly once per `(message.id, requestId)` with its largest
 * figures, although Claude Code writes one line per content block, repeats the usage on each and
 * may show a partial `output_tokens` on early lines. A `session_info` item comes last.
 *
 * @example
 * for await (const item of readTranscript('session.jsonl', { onIssue: (i) => console.warn(i.message) })) {
 *   if (item.kind === 'api_response') console.log(item.model, item.usage.output);
 * }
 */
export async function* readTranscript(
  file: string,
  options: ReadTranscriptOptions = {},
): AsyncGenerator<TranscriptItem> {
  const reader = new LineHandler(file, options);
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const stream = options.blockingRead ? undefined : createReadStream(file, { highWaterMark: chunkBytes });
  const lines = splitLines(
    stream ?? blockingChunks(file, chunkBytes),
    options.maxLineBytes ?? 64 * 1024 * 1024,
  );
  try {
    for (;;) {
      let next: IteratorResult<RawLine>;
      try {
        next = await lines.next();
      } catch (error) {
        if (typeof (error as { code?: unknown })?.code !== 'string') throw error;
        throw new SatError(
          'IO_ERROR',
          `[core] cannot read transcript ${file}: ${describeSystemError(error)}`,
          {
            cause: error,
            details: { file },
          },
        );
      }
      if (next.done) break;
      const raw = next.value;
      yield* reader.handle(raw.bytes, raw.line, raw.offset, raw.complete, raw.oversized === true);
    }
    yield* reader.finish();
  } finally {
    // Also when the consumer stops early: close the file.
    if (stream) stream.destroy();
    else await lines.return(undefined);
  }
}

/** The file's bytes, read synchronously at most `size` at a time (see `blockingRead`). */
async function* blockingChunks(file: string, size: number): AsyncGenerator<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const expected = fstatSync(fd).size;
    let position = 0;
    for (;;) {
      // Sized to what is left, so a small file does not cost a large buffer.
      const chunk = Buffer.allocUnsafe(Math.min(size, Math.max(4096, expected - position)));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return;
      position += n;
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** The per-file state of {@link readTranscript}. */
class LineHandler {
  private readonly pending = new Map<string, ApiResponseItem>();
  /** `'thread'` mode: the response each thread is in, and the responses already yielded. */
  private readonly threadCurrent = new Map<string, string>();
  private readonly emitted = new Map<string, TokenUsage>();
  private readonly toolNames = new Map<string, string>();
  private readonly resultsSeen = new Set<string>();
  private readonly facts: SessionFacts = { isSidechain: false, lines: 0 };
  private readonly flushMode: 'end' | 'thread';
  private readonly summaryChars: number;

  constructor(
    private readonly file: string,
    private readonly options: ReadTranscriptOptions,
  ) {
    this.flushMode = options.responseFlush ?? 'end';
    this.summaryChars = options.summaryChars ?? 500;
  }

  *handle(
    bytes: Buffer,
    line: number,
    offset: number,
    complete: boolean,
    oversized: boolean,
  ): Generator<TranscriptItem> {
    this.facts.lines = line;
    if (this.options.skipLine?.(bytes)) return;
    if (oversized) {
      this.issue('unparseable', line, offset, `line ${line} is longer than the limit and was skipped`);
      return;
    }
    let text = bytes.toString('utf8');
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const why = complete
        ? `is not valid JSON (${(error as Error).message})`
        : 'is cut off (last line without a newline; the file may still be being written)';
      this.issue('unparseable', line, offset, `line ${line} ${why}`);
      return;
    }
    const classified = classifyRecord(value);
    if (classified.kind === 'not-a-record') {
      this.issue('unparseable', line, offset, `line ${line} is ${classified.reason}`);
      return;
    }
    if (classified.kind === 'unknown-type') {
      this.observe(classified.raw);
      this.issue(
        'unknown-type',
        line,
        offset,
        `line ${line} has unknown record type "${classified.type}"`,
        classified.type,
      );
      return;
    }
    const record = classified.record;
    this.observe(record);
    const ctx = context(record, line, offset);
    switch (record.type) {
      case 'assistant':
        yield* this.assistant(record, ctx);
        break;
      case 'user':
        yield* this.user(record, ctx);
        break;
      case 'system':
        yield systemItem(record, ctx);
        break;
      case 'progress': {
        const item = progressItem(record, ctx);
        if (item) yield item;
        break;
      }
      case 'summary':
        yield summaryItem(record, ctx);
        break;
      default:
        // file-history-snapshot, queue-operation: nothing to yield.
        break;
    }
  }

  *finish(): Generator<TranscriptItem> {
    for (const item of this.pending.values()) yield item;
    this.pending.clear();
    const f = this.facts;
    const info: SessionInfoItem = {
      kind: 'session_info',
      file: this.file,
      isSidechain: f.isSidechain,
      lines: f.lines,
    };
    for (const key of [
      'sessionId',
      'agentId',
      'cwd',
      'gitBranch',
      'version',
      'slug',
      'firstTs',
      'lastTs',
    ] as const)
      if (f[key] !== undefined) info[key] = f[key];
    yield info;
  }

  private *assistant(record: AssistantRecord, ctx: ItemContext): Generator<TranscriptItem> {
    const message = isObject(record.message) ? record.message : {};
    const model = str(message.model);
    const blocks = contentBlocks(message);
    if (model === SYNTHETIC_MODEL) {
      const item: SyntheticMessageItem = {
        kind: 'synthetic_message',
        ...ctx,
        text: blocks
          .filter(isTextBlock)
          .map((b) => b.text)
          .join('\n'),
        isApiError: record.isApiErrorMessage === true,
      };
      if (typeof record.apiErrorStatus === 'number') item.apiErrorStatus = record.apiErrorStatus;
      const error = str(record.error);
      if (error !== undefined) item.error = error;
      yield item;
      return;
    }
    const messageId = str(message.id);
    const requestId = str(record.requestId);
    if (messageId !== undefined || isObject(message.usage)) {
      yield* this.response(message, ctx, model ?? '', messageId, requestId);
    }
    for (const block of blocks) {
      if (isToolUseBlock(block)) {
        if (this.toolNames.has(block.id)) continue;
        this.toolNames.set(block.id, block.name);
        const item: ToolUseItem = {
          kind: 'tool_use',
          ...ctx,
          id: block.id,
          name: block.name,
          input: block.input,
        };
        if (messageId !== undefined) item.messageId = messageId;
        if (requestId !== undefined) item.requestId = requestId;
        if (model) item.model = model;
        if (SUBAGENT_TOOL_NAMES.includes(block.name) && isObject(block.input)) {
          const type = str(block.input.subagent_type);
          if (type !== undefined) item.subagentType = type;
        }
        yield item;
      } else if (isTextBlock(block) && block.text !== '') {
        const item: AssistantTextItem = { kind: 'assistant_text', ...ctx, text: block.text };
        if (messageId !== undefined) item.messageId = messageId;
        yield item;
      }
    }
  }

  private *response(
    message: Record<string, unknown>,
    ctx: ItemContext,
    model: string,
    messageId: string | undefined,
    requestId: string | undefined,
  ): Generator<ApiResponseItem> {
    let id = messageId;
    if (id === undefined) {
      id = `line:${ctx.line}`;
      this.issue(
        'missing-id',
        ctx.line,
        ctx.offset,
        `line ${ctx.line} is an assistant line with usage but no message.id; counted on its own`,
      );
    }
    const key = `${id}\u0000${requestId ?? ''}`;
    const usage = normalizeUsage(message.usage);
    if (this.flushMode === 'thread') {
      const done = this.emitted.get(key);
      if (done) {
        const merged = maxUsage(done, usage);
        if (!sameUsage(merged, done))
          this.issue(
            'late-response-line',
            ctx.line,
            ctx.offset,
            `line ${ctx.line} belongs to response ${id}, already counted, and has larger figures that were not counted (use responseFlush 'end')`,
          );
        return;
      }
      const thread = `${ctx.sessionId ?? ''}\u0000${ctx.agentId ?? ''}\u0000${ctx.isSidechain}`;
      const current = this.threadCurrent.get(thread);
      if (current !== undefined && current !== key) {
        const finished = this.pending.get(current);
        if (finished) {
          this.pending.delete(current);
          this.emitted.set(current, finished.usage);
          yield finished;
        }
      }
      this.threadCurrent.set(thread, key);
    }
    const stopReason = str(message.stop_reason);
    const rawUsage = isObject(message.usage) ? message.usage : undefined;
    const serviceTier = rawUsage ? str(rawUsage.service_tier) : undefined;
    const existing = this.pending.get(key);
    if (!existing) {
      const item: ApiResponseItem = {
        kind: 'api_response',
        ...ctx,
        messageId: id,
        model,
        usage,
        lastLine: ctx.line,
        lineCount: 1,
      };
      if (requestId !== undefined) item.requestId = requestId;
      if (serviceTier !== undefined) item.serviceTier = serviceTier;
      if (stopReason !== undefined) item.stopReason = stopReason;
      if (ctx.ts !== undefined) item.lastTs = ctx.ts;
      if (rawUsage) item.rawUsage = rawUsage;
      this.pending.set(key, item);
      return;
    }
    if (usage.output >= existing.usage.output && rawUsage) existing.rawUsage = rawUsage;
    existing.usage = maxUsage(existing.usage, usage);
    existing.lineCount++;
    existing.lastLine = ctx.line;
    if (ctx.ts !== undefined) existing.lastTs = ctx.ts;
    if (stopReason !== undefined) existing.stopReason = stopReason;
    if (serviceTier !== undefined) existing.serviceTier = serviceTier;
    if (!existing.model && model) existing.model = model;
  }

  private *user(record: UserRecord, ctx: ItemContext): Generator<TranscriptItem> {
    const blocks = contentBlocks(record.message);
    const results = blocks.filter(isToolResultBlock);
    if (results.length > 0) {
      for (const block of results) {
        if (this.resultsSeen.has(block.tool_use_id)) continue;
        this.resultsSeen.add(block.tool_use_id);
        const item: ToolResultItem = {
          kind: 'tool_result',
          ...ctx,
          toolUseId: block.tool_use_id,
          isError: block.is_error === true,
          contentSummary: toolResultText(block.content, this.summaryChars),
        };
        const toolName = this.toolNames.get(block.tool_use_id);
        if (toolName !== undefined) item.toolName = toolName;
        if (results.length === 1 && record.toolUseResult !== undefined) {
          item.toolUseResult = record.toolUseResult;
          const run = subagentRunResult(record.toolUseResult);
          if (run) item.subagent = run;
        }
        yield item;
      }
      return;
    }
    const text = blocks
      .filter(isTextBlock)
      .map((b) => b.text)
      .join('\n');
    if (record.isCompactSummary === true) {
      yield { kind: 'compact_summary', ...ctx, text };
      return;
    }
    if (record.isMeta === true) return;
    const images = blocks.filter((b) => b.type === 'image').length;
    if (text.trim() === '' && images === 0) return;
    if (INTERRUPT.test(text)) {
      yield { kind: 'interrupt', ...ctx, duringToolUse: /for tool use/.test(text) };
      return;
    }
    if (COMMAND_OUTPUT.test(text)) return;
    const item: UserPromptItem = { kind: 'user_prompt', ...ctx, text, images };
    const command = /<command-name>([^<]*)<\/command-name>/.exec(text)?.[1]?.trim();
    if (command) {
      item.command = command;
      const args = /<command-args>([^<]*)<\/command-args>/.exec(text)?.[1]?.trim();
      if (args) item.commandArgs = args;
    }
    yield item;
  }

  private observe(record: Record<string, unknown>): void {
    const f = this.facts;
    for (const key of ['sessionId', 'agentId', 'cwd', 'gitBranch', 'version', 'slug'] as const) {
      if (f[key] === undefined) {
        const value = str(record[key]);
        if (value) f[key] = value;
      }
    }
    if (record.isSidechain === true) f.isSidechain = true;
    const ts = str(record.timestamp);
    const ms = ts === undefined ? Number.NaN : Date.parse(ts);
    if (ts !== undefined && !Number.isNaN(ms)) {
      if (f.firstMs === undefined || ms < f.firstMs) {
        f.firstMs = ms;
        f.firstTs = ts;
      }
      if (f.lastMs === undefined || ms > f.lastMs) {
        f.lastMs = ms;
        f.lastTs = ts;
      }
    }
  }

  private issue(
    kind: TranscriptIssue['kind'],
    line: number,
    offset: number,
    message: string,
    recordType?: string,
  ): void {
    if (!this.options.onIssue) return;
    const issue: TranscriptIssue = {
      kind,
      file: this.file,
      line,
      offset,
      message: `${this.file}: ${message}`,
    };
    if (recordType !== undefined) issue.recordType = recordType;
    this.options.onIssue(issue);
  }
}

function context(record: TranscriptRecord, line: number, offset: number): ItemContext {
  const ctx: ItemContext = { line, offset, isSidechain: record.isSidechain === true };
  const ts = str(record.timestamp);
  if (ts !== undefined) ctx.ts = ts;
  const uuid = str(record.uuid);
  if (uuid !== undefined) ctx.uuid = uuid;
  const sessionId = str(record.sessionId);
  if (sessionId !== undefined) ctx.sessionId = sessionId;
  const agentId = str(record.agentId);
  if (agentId !== undefined) ctx.agentId = agentId;
  return ctx;
}

function systemItem(record: SystemRecord, ctx: ItemContext): CompactBoundaryItem | SystemItem {
  const subtype = str(record.subtype) ?? '(none)';
  if (subtype === 'compact_boundary') {
    const item: CompactBoundaryItem = { kind: 'compact_boundary', ...ctx };
    const meta = isObject(record.compactMetadata) ? record.compactMetadata : {};
    const trigger = str(meta.trigger);
    if (trigger !== undefined) item.trigger = trigger;
    if (typeof meta.preTokens === 'number') item.preTokens = meta.preTokens;
    const parent = str(record.logicalParentUuid);
    if (parent !== undefined) item.logicalParentUuid = parent;
    return item;
  }
  const item: SystemItem = { kind: 'system', ...ctx, subtype };
  const level = str(record.level);
  if (level !== undefined) item.level = level;
  const content = str(record.content);
  if (content !== undefined) item.content = content;
  return item;
}

function progressItem(record: ProgressRecord, ctx: ItemContext): AgentProgressItem | undefined {
  const data = isObject(record.data) ? record.data : undefined;
  if (data?.type !== 'agent_progress' || typeof data.agentId !== 'string') return undefined;
  const item: AgentProgressItem = { kind: 'agent_progress', ...ctx, subagentId: data.agentId };
  const parent = str(record.parentToolUseID);
  if (parent !== undefined) item.parentToolUseId = parent;
  if (isObject(data.message)) {
    const type = str(data.message.type);
    if (type !== undefined) item.messageType = type;
    const inner = isObject(data.message.message) ? data.message.message : undefined;
    const id = inner ? str(inner.id) : undefined;
    if (id !== undefined) item.messageId = id;
    const model = inner ? str(inner.model) : undefined;
    if (model !== undefined) item.model = model;
  }
  return item;
}

function summaryItem(record: SummaryRecord, ctx: ItemContext): SummaryItem {
  const item: SummaryItem = { kind: 'summary', ...ctx, summary: str(record.summary) ?? '' };
  const leaf = str(record.leafUuid);
  if (leaf !== undefined) item.leafUuid = leaf;
  return item;
}

function sameUsage(a: TokenUsage, b: TokenUsage): boolean {
  return (
    a.input === b.input &&
    a.output === b.output &&
    a.cacheCreation === b.cacheCreation &&
    a.cacheRead === b.cacheRead &&
    a.cacheCreation1h === b.cacheCreation1h
  );
}
