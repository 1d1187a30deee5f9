import { type Static, type TSchema, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
/** The longest duration an event may carry: 7 days (anything longer is a broken clock or a bug). */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
const Millis = Type.Number({ minimum: 0, maximum: MAX_DURATION_MS });
const Count = Type.Integer({ minimum: 0 });
const FreeObject = Type.Record(Type.String(), Type.Unknown());

/** Token counts of one or more API responses, as Anthropic's `usage` reports them. */
export const TokenCountsSchema = Type.Object(
  {
    /** Input tokens not read from or written to the cache. */
    input: Count,
    /** Output tokens. */
    output: Count,
    /** Input tokens written to the prompt cache (5-minute and 1-hour writes together). */
    cacheCreation: Count,
    /** Input tokens read from the prompt cache. */
    cacheRead: Count,
  },
  strict,
);
/** Token counts of one or more API responses (see `TokenCountsSchema`). */
export type TokenCounts = Static<typeof TokenCountsSchema>;

/** An agent (the main one or a sub-agent) was started, or finished. */
export const AgentInvocationV1 = Type.Object(
  {
    /** The agent invoked: `main`, or the sub-agent's type or name (`code-reviewer`). */
    agent: NonEmpty,
    /** The agent that invoked it. */
    invoked_by: Type.Optional(NonEmpty),
    /** Why it was invoked (the task given to a sub-agent). */
    reason: Type.Optional(Type.String()),
    /** Free-form details of the invocation. */
    context: Type.Optional(FreeObject),
    /** The client's id of this run of the agent (Claude Code's sub-agent id). */
    agent_id: Type.Optional(NonEmpty),
    /** `started` when it began; `completed` or `failed` when it finished. */
    status: Type.Optional(
      Type.Union([Type.Literal('started'), Type.Literal('completed'), Type.Literal('failed')]),
    ),
    /** How long the run took, on its end event. */
    duration_ms: Type.Optional(Millis),
    /** Whether the run did what it was asked. */
    success: Type.Optional(Type.Boolean()),
    /** Tokens the run used, when the client reports them. */
    tokens: Type.Optional(TokenCountsSchema),
    /** The model the agent ran on. */
    model: Type.Optional(NonEmpty),
    /** The id of the tool call (Task / Agent) that started it. */
    tool_use_id: Type.Optional(NonEmpty),
  },
  strict,
);

/** One tool call: which tool, with what, how long it took, whether it worked. */
export const ToolUsageV1 = Type.Object(
  {
    /** The agent that called the tool (default: the envelope's `agent`). */
    agent: Type.Optional(NonEmpty),
    /** The tool's name (`Bash`, `Edit`, an MCP tool). */
    tool: NonEmpty,
    /** Its input, normalised and redacted. */
    parameters: Type.Optional(FreeObject),
    /** How long the call took. */
    duration_ms: Type.Optional(Millis),
    /** Whether the call succeeded. */
    success: Type.Boolean(),
    /** The client's id of the call, shared by its pre- and post-tool events. */
    tool_use_id: Type.Optional(NonEmpty),
    /** The error message of a failed call. */
    error: Type.Optional(Type.String()),
  },
  strict,
);

/** A choice between options, with the reason. */
export const DecisionV1 = Type.Object(
  {
    /** What had to be decided. */
    question: NonEmpty,
    /** The options considered. */
    options: Type.Optional(Type.Array(Type.String())),
    /** The option taken. */
    selected: Type.String(),
    /** Why. */
    rationale: Type.Optional(Type.String()),
    /** Free-form details. */
    context: Type.Optional(FreeObject),
  },
  strict,
);

/** One named check inside a validation. */
export const ValidationCheckSchema = Type.Object(
  {
    /** The check (`pnpm test`). */
    name: NonEmpty,
    /** Whether it passed. */
    passed: Type.Boolean(),
    /** What it reported. */
    details: Type.Optional(Type.String()),
  },
  strict,
);

/** A task was checked (tests, lint, review): the checks and the overall result. */
export const ValidationV1 = Type.Object(
  {
    /** What was validated. */
    task: NonEmpty,
    /** Each check and whether it passed. */
    checks: Type.Array(ValidationCheckSchema),
    /** The overall result. */
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('partial')]),
  },
  strict,
);

/** Something went wrong, and what was done about it. */
export const ErrorV1 = Type.Object(
  {
    /** A short class of the error (`TestFailure`, a tool name's failure). */
    error_type: NonEmpty,
    /** The error message. */
    message: Type.Optional(Type.String()),
    /** Where it happened: text or free-form details. */
    context: Type.Optional(Type.Union([Type.String(), FreeObject])),
    /** What was done about it. */
    attempted_fix: Type.Optional(Type.String()),
    /** Whether that fixed it. */
    fix_successful: Type.Optional(Type.Boolean()),
    /** The tool call that failed, when it was one. */
    tool_use_id: Type.Optional(NonEmpty),
  },
  strict,
);

/** A file was created, modified, deleted, read or renamed. */
export const FileOperationV1 = Type.Object(
  {
    /** What was done to the file. */
    operation: Type.Union([
      Type.Literal('create'),
      Type.Literal('modify'),
      Type.Literal('delete'),
      Type.Literal('read'),
      Type.Literal('rename'),
    ]),
    /** The file. */
    path: NonEmpty,
    /** The old path of a rename. */
    from_path: Type.Optional(NonEmpty),
    /** A unified diff of the change (bounded in size). */
    diff: Type.Optional(Type.String()),
    /** The git blob hash (SHA-1 or SHA-256) of the content after the operation. */
    git_hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' })),
    /** The file's size after the operation. */
    bytes: Type.Optional(Count),
  },
  strict,
);

/** The context window was measured or compacted. */
export const ContextSnapshotV1 = Type.Object(
  {
    /** Tokens in the context window before (at a measurement: now). */
    tokens_before: Type.Optional(Count),
    /** Tokens after a compaction. */
    tokens_after: Type.Optional(Count),
    /** Files known to be in the context. */
    files_in_context: Type.Optional(Type.Array(Type.String())),
    /** What measured or compacted it (`auto`, `manual`, `statusline`). */
    trigger: Type.Optional(NonEmpty),
    /** The size of the model's context window, in tokens. */
    context_window: Type.Optional(Count),
  },
  strict,
);

/** One API response's token usage (from a transcript, or estimated from a sub-agent's tool result). */
export const ApiResponseV1 = Type.Object(
  {
    /** The model that answered. */
    model: NonEmpty,
    /** The API message id: with `agent_id`, the key that counts each response once. */
    message_id: NonEmpty,
    /** The API request id. */
    request_id: Type.Optional(Type.String()),
    /** The response's token usage. */
    tokens: TokenCountsSchema,
    /** The part of `tokens.cacheCreation` written to the 1-hour cache (the rest is 5-minute). */
    cache_creation_1h: Type.Optional(Count),
    /** `transcript`: counted from the agent's own transcript; `task_result`: the parent's Task/Agent result, used only while the sub-agent's own transcript is missing. */
    source: Type.Union([Type.Literal('transcript'), Type.Literal('task_result')]),
    /** The sub-agent it belongs to (absent: the main agent). */
    agent_id: Type.Optional(NonEmpty),
    /** `usage.service_tier`, e.g. `standard`. */
    service_tier: Type.Optional(Type.String()),
  },
  strict,
);

/**
 * V2 of `api_response`: V1 plus `source: 'otel'` (Claude Code's own `claude_code.api_request` log
 * record, which names the request but no message: `message_id` then holds the `request_id`) and
 * what that record adds: `cost_usd` (Claude Code's own figure), `duration_ms`, `query_source`.
 */
export const ApiResponseV2 = Type.Object(
  {
    /** The model that answered. */
    model: NonEmpty,
    /** The API message id (the `request_id` for `otel` records): the key that counts each response once. */
    message_id: NonEmpty,
    /** The API request id. */
    request_id: Type.Optional(Type.String()),
    /** The response's token usage. */
    tokens: TokenCountsSchema,
    /** The part of `tokens.cacheCreation` written to the 1-hour cache (the rest is 5-minute). */
    cache_creation_1h: Type.Optional(Count),
    /** Where it was counted from: the agent's own transcript, the parent's Task result (only while the sub-agent's transcript is missing), or Claude Code's OpenTelemetry. */
    source: Type.Union([Type.Literal('transcript'), Type.Literal('task_result'), Type.Literal('otel')]),
    /** The sub-agent it belongs to (absent: the main agent). */
    agent_id: Type.Optional(NonEmpty),
    /** `usage.service_tier`, e.g. `standard`. */
    service_tier: Type.Optional(Type.String()),
    /** Claude Code's own cost figure (OpenTelemetry only). */
    cost_usd: Type.Optional(Type.Number({ minimum: 0 })),
    /** How long the request took (OpenTelemetry only). */
    duration_ms: Type.Optional(Millis),
    /** Which part of Claude Code made the request (OpenTelemetry only). */
    query_source: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);

/** Something the user asked (the first prompt of a session is its goal). */
export const UserPromptV1 = Type.Object(
  {
    /** The prompt, redacted and bounded in size. */
    text: Type.String(),
    /** Its length before it was bounded. */
    chars: Count,
    /** The slash command it ran, if any. */
    command: Type.Optional(Type.String()),
  },
  strict,
);

/** The agent finished a turn (Claude Code's Stop / SubagentStop). */
export const TurnEndV1 = Type.Object(
  {
    /** The agent's last message of the turn. */
    last_message: Type.Optional(Type.String()),
    /** Claude Code's `stop_hook_active`: the turn continues because a Stop hook asked it to. */
    stop_hook_active: Type.Optional(Type.Boolean()),
  },
  strict,
);

/** The client showed the user a notification (permission prompt, idle, ...). */
export const NotificationV1 = Type.Object(
  {
    /** The notification's text. */
    message: Type.String(),
    /** Its title. */
    title: Type.Optional(Type.String()),
    /** Its kind (`permission_prompt`, `idle_prompt`, ...). */
    notification_type: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: the session began. */
export const SessionStartV1 = Type.Object(
  {
    /** How it started (`startup`, `resume`, `clear`, `compact`). */
    source: Type.Optional(NonEmpty),
    /** The working folder. */
    cwd: Type.Optional(Type.String()),
    /** The model at the start. */
    model: Type.Optional(NonEmpty),
    /** The git branch of the working folder. */
    git_branch: Type.Optional(Type.String()),
    /** The phase of work it starts in. */
    phase: Type.Optional(Type.Union([NonEmpty, Count])),
    /** The client that ran it (`claude-code`, or the tracker API's caller). */
    client: Type.Optional(NonEmpty),
  },
  strict,
);

/** Session lifecycle: the session ended. */
export const SessionEndV1 = Type.Object(
  {
    /** Why it ended (`clear`, `logout`, `done`, ...). */
    reason: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: the session moved to another phase of work. */
export const PhaseV1 = Type.Object(
  {
    /** The new phase: a number or a name. */
    phase: Type.Union([NonEmpty, Count]),
    /** A readable name for it. */
    name: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: a snapshot of the session's state was written. */
export const SnapshotV1 = Type.Object(
  {
    /** The snapshot's id (see `sat snapshot list`). */
    snapshot_id: NonEmpty,
    /** What took it: `agent-invocations`, `tokens`, `pre-compact`, `session-end`, `manual` or `recover`. */
    trigger: NonEmpty,
    /** The last `seq` of the session it covers. */
    at_seq: Type.Optional(Count),
    /** SHA-256 of the stored snapshot. */
    checksum: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: a handoff summary was written. */
export const HandoffV1 = Type.Object(
  {
    /** The handoff's Markdown file. */
    path: NonEmpty,
    /** What made it due when it was written automatically: `context-fill` or `pre-compact`. */
    trigger: Type.Optional(NonEmpty),
    /** Its estimated size in tokens. */
    tokens: Type.Optional(Count),
  },
  strict,
);

/** Session lifecycle: the session was copied to a storage target. */
export const BackupV1 = Type.Object(
  {
    /** The storage target's name (`local`, `gdrive`, `s3`, `mongo`). */
    target: NonEmpty,
    /** Where the bundle went on that target. */
    location: Type.Optional(Type.String()),
    /** SHA-256 of the bundle. */
    checksum: Type.Optional(Type.String()),
    /** The bundle's size. */
    bytes: Type.Optional(Count),
    /** What started it: `manual`, `handoff`, `context-warning`, `session-end`. */
    trigger: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  strict,
);

/**
 * An alert raised about a live session or a day: the context nearly full, an error spike, a metric
 * far from the user's usual. `value` is what was seen, `threshold` the limit it crossed, `baseline`
 * the user's usual figure when the alert compares with history.
 */
export const AlertV1 = Type.Object(
  {
    /** What it is about: `context`, `error_spike`, or an anomaly's kind. */
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    /** How urgent it is. */
    level: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    /** The alert, for people. */
    message: Type.String({ minLength: 1, maxLength: 2_000 }),
    /** The metric compared. */
    metric: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** What was seen. */
    value: Type.Optional(Type.Number()),
    /** The limit it crossed. */
    threshold: Type.Optional(Type.Number()),
    /** The user's usual figure, when it compares with history. */
    baseline: Type.Optional(Type.Number()),
    /** What to do about it, when there is something to do. */
    action: Type.Optional(Type.String({ maxLength: 2_000 })),
  },
  strict,
);

/** The seven event types of the roadmap. */
export const ROADMAP_EVENT_TYPES = [
  'agent_invocation',
  'tool_usage',
  'decision',
  'validation',
  'error',
  'file_operation',
  'context_snapshot',
] as const;

/** Session lifecycle event types. */
export const LIFECYCLE_EVENT_TYPES = [
  'session_start',
  'session_end',
  'phase',
  'snapshot',
  'handoff',
  'backup',
  'alert',
] as const;

/** What capture from a client adds: token usage, prompts, turn ends, notifications. */
export const CAPTURE_EVENT_TYPES = ['api_response', 'user_prompt', 'turn_end', 'notification'] as const;

/** Every event type this version of core writes. */
export const EVENT_TYPES = [
  ...ROADMAP_EVENT_TYPES,
  ...LIFECYCLE_EVENT_TYPES,
  ...CAPTURE_EVENT_TYPES,
] as const;
/** The name of an event type (`tool_usage`, `session_start`, ...): one of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/** The current payload shape of each event type. */
export interface EventPayloads {
  agent_invocation: Static<typeof AgentInvocationV1>;
  tool_usage: Static<typeof ToolUsageV1>;
  decision: Static<typeof DecisionV1>;
  validation: Static<typeof ValidationV1>;
  error: Static<typeof ErrorV1>;
  file_operation: Static<typeof FileOperationV1>;
  context_snapshot: Static<typeof ContextSnapshotV1>;
  session_start: Static<typeof SessionStartV1>;
  session_end: Static<typeof SessionEndV1>;
  phase: Static<typeof PhaseV1>;
  snapshot: Static<typeof SnapshotV1>;
  handoff: Static<typeof HandoffV1>;
  backup: Static<typeof BackupV1>;
  alert: Static<typeof AlertV1>;
  api_response: Static<typeof ApiResponseV2>;
  user_prompt: Static<typeof UserPromptV1>;
  turn_end: Static<typeof TurnEndV1>;
  notification: Static<typeof NotificationV1>;
}

/**
 * One version of one event type's payload. `upgrade` turns a payload of this version into
 * the next version's shape, so old logs stay readable after a schema change.
 */
export interface PayloadVersion {
  schema: TSchema;
  /** Turns a payload of this version into the next version's shape (absent on the current version). */
  upgrade?: (data: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Every payload version ever written, per type, oldest first. The last entry is current.
 * To change a payload: append a version with the new schema and give the previous one an
 * `upgrade`; never edit a version that has shipped.
 */
export const PAYLOAD_VERSIONS: { readonly [T in EventType]: readonly PayloadVersion[] } = {
  agent_invocation: [{ schema: AgentInvocationV1 }],
  tool_usage: [{ schema: ToolUsageV1 }],
  decision: [{ schema: DecisionV1 }],
  validation: [{ schema: ValidationV1 }],
  error: [{ schema: ErrorV1 }],
  file_operation: [{ schema: FileOperationV1 }],
  context_snapshot: [{ schema: ContextSnapshotV1 }],
  session_start: [{ schema: SessionStartV1 }],
  session_end: [{ schema: SessionEndV1 }],
  phase: [{ schema: PhaseV1 }],
  snapshot: [{ schema: SnapshotV1 }],
  handoff: [{ schema: HandoffV1 }],
  backup: [{ schema: BackupV1 }],
  alert: [{ schema: AlertV1 }],
  api_response: [{ schema: ApiResponseV1, upgrade: (data) => data }, { schema: ApiResponseV2 }],
  user_prompt: [{ schema: UserPromptV1 }],
  turn_end: [{ schema: TurnEndV1 }],
  notification: [{ schema: NotificationV1 }],
};
