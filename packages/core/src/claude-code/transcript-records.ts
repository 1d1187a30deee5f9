import { isObject, str } from '../guards.js';
import { normalizeUsage, type TokenUsage } from '../pricing/token-usage.js';

export { isObject, str } from '../guards.js';
export {
  maxUsage,
  normalizeUsage,
  SYNTHETIC_MODEL,
  type TokenUsage,
  ZERO_USAGE,
} from '../pricing/token-usage.js';
/**
 * The records of a Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`), one
 * JSON object a line, and defensive helpers to read them.
 *
 * Claude Code calls this format internal and unstable, so every type here is open: fields not
 * listed are kept (index signature `[field: string]: unknown`), every listed field is optional
 * and is checked before use, and a record of a type not listed is reported, never fatal.
 */

/** The record `type`s this module knows (Claude Code 2.1.x). */
export const KNOWN_RECORD_TYPES = [
  'user',
  'assistant',
  'system',
  'progress',
  'file-history-snapshot',
  'queue-operation',
  'summary',
] as const;

/**
 * One of {@link KNOWN_RECORD_TYPES}.
 *
 * @example
 * const type: KnownRecordType = 'assistant';
 */
export type KnownRecordType = (typeof KNOWN_RECORD_TYPES)[number];

/**
 * Names of the tool that launches a sub-agent: `Task` (Claude Code up to 2.1.x) and `Agent` (newer).
 *
 * @example
 * SUBAGENT_TOOL_NAMES.includes(block.name) // true for 'Task' and 'Agent'
 */
export const SUBAGENT_TOOL_NAMES: readonly string[] = ['Task', 'Agent'];

/** Fields shared by most records. All optional: older or newer versions may leave any of them out. */
export interface TranscriptRecordBase {
  type: string;
  uuid?: string;
  parentUuid?: string | null;
  /** Set after a compaction: the record the conversation logically continues from. */
  logicalParentUuid?: string | null;
  sessionId?: string;
  /** ISO 8601 time the line was written. */
  timestamp?: string;
  cwd?: string;
  gitBranch?: string;
  /** Claude Code version, e.g. `2.1.38`. */
  version?: string;
  /** Human-friendly session name, e.g. `humble-seeking-umbrella`. */
  slug?: string;
  /** True on every line of a sub-agent's transcript. */
  isSidechain?: boolean;
  /** The sub-agent's id (`a7be2f0`, `acompact-f46190`), on every line of its transcript. */
  agentId?: string;
  /** Lines Claude Code added for the model (caveats, skill texts, reminders), not typed by the user. */
  isMeta?: boolean;
  /** True on the user line that carries the summary written by a compaction. */
  isCompactSummary?: boolean;
  userType?: string;
  [field: string]: unknown;
}

/** A `text` content block. */
export interface TextBlock {
  type: 'text';
  text: string;
  [field: string]: unknown;
}

/** A `thinking` content block (extended thinking). */
export interface ThinkingBlock {
  type: 'thinking';
  thinking?: string;
  signature?: string;
  [field: string]: unknown;
}

/** A `tool_use` content block: the model calls a tool. */
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input?: unknown;
  [field: string]: unknown;
}

/** A `tool_result` content block: the answer to a `tool_use`, sent back on a user line. */
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** A string, or blocks (`text`, `image`, ...). */
  content?: unknown;
  is_error?: boolean;
  [field: string]: unknown;
}

/** A content block of a type this module does not know (`image`, `server_tool_use`, ...). */
export interface OtherBlock {
  type: string;
  [field: string]: unknown;
}

/** Any block of `message.content`. */
export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

/** `message.usage` as the API returns it. */
export interface RawUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
  service_tier?: string | null;
  server_tool_use?: { web_search_requests?: number; web_fetch_requests?: number };
  [field: string]: unknown;
}

/** `message` of a user or assistant record. */
export interface MessageBody {
  role?: string;
  /** Assistant only: the API message id (`msg_...`), shared by all lines of one response. */
  id?: string;
  model?: string;
  /** A plain string (typed prompts) or content blocks. */
  content?: string | ContentBlock[];
  stop_reason?: string | null;
  usage?: RawUsage;
  [field: string]: unknown;
}

/** A `user` record: a prompt, tool results, or text Claude Code inserted. */
export interface UserRecord extends TranscriptRecordBase {
  type: 'user';
  message?: MessageBody;
  /** The tool's own result object (or an error string), next to the `tool_result` block. */
  toolUseResult?: unknown;
  /** The uuid of the assistant line whose tool call this result answers. */
  sourceToolAssistantUUID?: string;
  permissionMode?: string;
}

/** An `assistant` record: ONE content block of an API response (a response spans several lines). */
export interface AssistantRecord extends TranscriptRecordBase {
  type: 'assistant';
  message?: MessageBody;
  /** The API request id (`req_...`). */
  requestId?: string;
  /** Set on synthetic lines that report an API error. */
  isApiErrorMessage?: boolean;
  apiErrorStatus?: number | null;
  error?: string;
}

/** A `system` record (`stop_hook_summary`, `compact_boundary`, `local_command`, `turn_duration`, ...). */
export interface SystemRecord extends TranscriptRecordBase {
  type: 'system';
  subtype?: string;
  content?: string;
  level?: string;
  /** On `compact_boundary`: `{ trigger: 'manual' | 'auto', preTokens }`. */
  compactMetadata?: { trigger?: string; preTokens?: number; [field: string]: unknown };
}

/** A `progress` record: hook runs (`hook_progress`) and sub-agent steps (`agent_progress`). */
export interface ProgressRecord extends TranscriptRecordBase {
  type: 'progress';
  data?: {
    type?: string;
    /** `agent_progress`: the sub-agent's id. */
    agentId?: string;
    /** `agent_progress`: a copy of one of the sub-agent's messages (its usage is NOT to be counted here). */
    message?: unknown;
    prompt?: string;
    hookEvent?: string;
    hookName?: string;
    command?: string;
    [field: string]: unknown;
  };
  /** `agent_progress`: the parent's `tool_use` id that launched the sub-agent. */
  parentToolUseID?: string;
  toolUseID?: string;
}

/** A `file-history-snapshot` record (file backups for checkpoints). */
export interface FileHistorySnapshotRecord extends TranscriptRecordBase {
  type: 'file-history-snapshot';
  messageId?: string;
  snapshot?: unknown;
  isSnapshotUpdate?: boolean;
}

/** A `queue-operation` record: a prompt queued while the agent was busy. */
export interface QueueOperationRecord extends TranscriptRecordBase {
  type: 'queue-operation';
  operation?: string;
  content?: string;
}

/** A `summary` record: a title for the conversation up to `leafUuid`. */
export interface SummaryRecord extends TranscriptRecordBase {
  type: 'summary';
  summary?: string;
  leafUuid?: string;
}

/** Any record of a known type. */
export type TranscriptRecord =
  | UserRecord
  | AssistantRecord
  | SystemRecord
  | ProgressRecord
  | FileHistorySnapshotRecord
  | QueueOperationRecord
  | SummaryRecord;

/**
 * What {@link classifyRecord} makes of one parsed line: a known record, a record of an unknown
 * type (kept whole), or something that is not a record at all.
 */
export type ClassifiedRecord =
  | { kind: 'known'; record: TranscriptRecord }
  | { kind: 'unknown-type'; type: string; raw: Record<string, unknown> }
  | { kind: 'not-a-record'; reason: string };

const KNOWN = new Set<string>(KNOWN_RECORD_TYPES);

/**
 * Sorts one parsed JSON line. Only the `type` field is trusted here; every other field is checked
 * where it is used. A JSON object without a string `type` counts as an unknown type `(none)`.
 *
 * @example
 * classifyRecord(JSON.parse('{"type":"ai-title","title":"x"}')) // { kind: 'unknown-type', type: 'ai-title', ... }
 */
export function classifyRecord(value: unknown): ClassifiedRecord {
  if (!isObject(value)) return { kind: 'not-a-record', reason: `not a JSON object (got ${kindOf(value)})` };
  const type = value.type;
  if (typeof type !== 'string') return { kind: 'unknown-type', type: '(none)', raw: value };
  if (!KNOWN.has(type)) return { kind: 'unknown-type', type, raw: value };
  return { kind: 'known', record: value as TranscriptRecord };
}

/**
 * The content blocks of a message: a string content becomes one `text` block; entries that are
 * not objects with a string `type` are dropped.
 *
 * @example
 * contentBlocks({ content: 'hi' }) // [{ type: 'text', text: 'hi' }]
 */
export function contentBlocks(message: unknown): ContentBlock[] {
  if (!isObject(message)) return [];
  const content = message.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.filter((b): b is ContentBlock => isObject(b) && typeof b.type === 'string');
}

/**
 * True for a `tool_use` block with a string `id` and `name`.
 *
 * @example
 * if (isToolUseBlock(block)) console.log(block.name);
 */
export function isToolUseBlock(block: ContentBlock): block is ToolUseBlock {
  return block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string';
}

/**
 * True for a `tool_result` block with a string `tool_use_id`.
 *
 * @example
 * if (isToolResultBlock(block)) console.log(block.tool_use_id, block.is_error === true);
 */
export function isToolResultBlock(block: ContentBlock): block is ToolResultBlock {
  return block.type === 'tool_result' && typeof block.tool_use_id === 'string';
}

/**
 * True for a `text` block with string `text`.
 *
 * @example
 * const texts = blocks.filter(isTextBlock).map((b) => b.text);
 */
export function isTextBlock(block: ContentBlock): block is TextBlock {
  return block.type === 'text' && typeof block.text === 'string';
}

/**
 * The text of a `tool_result` content (a string, or `text` blocks joined by newlines), cut to
 * `limit` characters (default 500).
 *
 * @example
 * toolResultText([{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }]) // 'a\nb'
 */
export function toolResultText(content: unknown, limit = 500): string {
  if (typeof content === 'string') return content.slice(0, limit);
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const block of content) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    out += (out ? '\n' : '') + block.text;
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/**
 * What a `Task`/`Agent` tool result says about the sub-agent run (from `toolUseResult`).
 *
 * Note: in the 2.1.x samples `totalTokens` equals input + cache creation + cache read + output of
 * the sub-agent's LAST API call (its final context size plus output), and `usage` is that last
 * call's usage. Neither is the sum of all the sub-agent's calls; only the sub-agent's own
 * transcript gives that.
 */
export interface SubagentRunResult {
  agentId: string;
  /** `completed`, ... */
  status?: string;
  totalTokens?: number;
  totalDurationMs?: number;
  totalToolUseCount?: number;
  /** The `usage` object, normalized (undefined when absent). */
  usage?: TokenUsage;
}

/**
 * Reads a sub-agent run from a tool result's `toolUseResult`; undefined unless it is an object
 * with a string `agentId`.
 *
 * @example
 * subagentRunResult({ agentId: 'afb92ff', totalTokens: 33894, status: 'completed' })?.agentId // 'afb92ff'
 */
export function subagentRunResult(toolUseResult: unknown): SubagentRunResult | undefined {
  if (!isObject(toolUseResult) || typeof toolUseResult.agentId !== 'string') return undefined;
  const out: SubagentRunResult = { agentId: toolUseResult.agentId };
  const status = str(toolUseResult.status);
  if (status !== undefined) out.status = status;
  for (const key of ['totalTokens', 'totalDurationMs', 'totalToolUseCount'] as const) {
    const value = toolUseResult[key];
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  if (isObject(toolUseResult.usage)) out.usage = normalizeUsage(toolUseResult.usage);
  return out;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
