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
    input: Count,
    output: Count,
    cacheCreation: Count,
    cacheRead: Count,
  },
  strict,
);
/** Token counts of one or more API responses (see `TokenCountsSchema`). */
export type TokenCounts = Static<typeof TokenCountsSchema>;

/** An agent (the main one or a sub-agent) was started, or finished. */
export const AgentInvocationV1 = Type.Object(
  {
    agent: NonEmpty,
    invoked_by: Type.Optional(NonEmpty),
    reason: Type.Optional(Type.String()),
    context: Type.Optional(FreeObject),
    agent_id: Type.Optional(NonEmpty),
    status: Type.Optional(
      Type.Union([Type.Literal('started'), Type.Literal('completed'), Type.Literal('failed')]),
    ),
    duration_ms: Type.Optional(Millis),
    success: Type.Optional(Type.Boolean()),
    tokens: Type.Optional(TokenCountsSchema),
    model: Type.Optional(NonEmpty),
    tool_use_id: Type.Optional(NonEmpty),
  },
  strict,
);

/** One tool call: which tool, with what, how long it took, whether it worked. */
export const ToolUsageV1 = Type.Object(
  {
    agent: Type.Optional(NonEmpty),
    tool: NonEmpty,
    parameters: Type.Optional(FreeObject),
    duration_ms: Type.Optional(Millis),
    success: Type.Boolean(),
    tool_use_id: Type.Optional(NonEmpty),
    error: Type.Optional(Type.String()),
  },
  strict,
);

/** A choice between options, with the reason. */
export const DecisionV1 = Type.Object(
  {
    question: NonEmpty,
    options: Type.Optional(Type.Array(Type.String())),
    selected: Type.String(),
    rationale: Type.Optional(Type.String()),
    context: Type.Optional(FreeObject),
  },
  strict,
);

/** One named check inside a validation. */
export const ValidationCheckSchema = Type.Object(
  { name: NonEmpty, passed: Type.Boolean(), details: Type.Optional(Type.String()) },
  strict,
);

/** A task was checked (tests, lint, review): the checks and the overall result. */
export const ValidationV1 = Type.Object(
  {
    task: NonEmpty,
    checks: Type.Array(ValidationCheckSchema),
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('partial')]),
  },
  strict,
);

/** Something went wrong, and what was done about it. */
export const ErrorV1 = Type.Object(
  {
    error_type: NonEmpty,
    message: Type.Optional(Type.String()),
    context: Type.Optional(Type.Union([Type.String(), FreeObject])),
    attempted_fix: Type.Optional(Type.String()),
    fix_successful: Type.Optional(Type.Boolean()),
    tool_use_id: Type.Optional(NonEmpty),
  },
  strict,
);

/** A file was created, modified, deleted, read or renamed. */
export const FileOperationV1 = Type.Object(
  {
    operation: Type.Union([
      Type.Literal('create'),
      Type.Literal('modify'),
      Type.Literal('delete'),
      Type.Literal('read'),
      Type.Literal('rename'),
    ]),
    path: NonEmpty,
    from_path: Type.Optional(NonEmpty),
    diff: Type.Optional(Type.String()),
    git_hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' })),
    bytes: Type.Optional(Count),
  },
  strict,
);

/** The context window was measured or compacted. */
export const ContextSnapshotV1 = Type.Object(
  {
    tokens_before: Type.Optional(Count),
    tokens_after: Type.Optional(Count),
    files_in_context: Type.Optional(Type.Array(Type.String())),
    trigger: Type.Optional(NonEmpty),
    context_window: Type.Optional(Count),
  },
  strict,
);

/** One API response's token usage (from a transcript, or estimated from a sub-agent's tool result). */
export const ApiResponseV1 = Type.Object(
  {
    model: NonEmpty,
    message_id: NonEmpty,
    request_id: Type.Optional(Type.String()),
    tokens: TokenCountsSchema,
    /** The part of `tokens.cacheCreation` written to the 1-hour cache (the rest is 5-minute). */
    cache_creation_1h: Type.Optional(Count),
    /** `transcript`: counted from the agent's own transcript; `task_result`: the parent's Task/Agent result, used only while the sub-agent's own transcript is missing. */
    source: Type.Union([Type.Literal('transcript'), Type.Literal('task_result')]),
    agent_id: Type.Optional(NonEmpty),
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
    model: NonEmpty,
    message_id: NonEmpty,
    request_id: Type.Optional(Type.String()),
    tokens: TokenCountsSchema,
    cache_creation_1h: Type.Optional(Count),
    source: Type.Union([Type.Literal('transcript'), Type.Literal('task_result'), Type.Literal('otel')]),
    agent_id: Type.Optional(NonEmpty),
    service_tier: Type.Optional(Type.String()),
    cost_usd: Type.Optional(Type.Number({ minimum: 0 })),
    duration_ms: Type.Optional(Millis),
    query_source: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);

/** Something the user asked (the first prompt of a session is its goal). */
export const UserPromptV1 = Type.Object(
  { text: Type.String(), chars: Count, command: Type.Optional(Type.String()) },
  strict,
);

/** The agent finished a turn (Claude Code's Stop / SubagentStop). */
export const TurnEndV1 = Type.Object(
  { last_message: Type.Optional(Type.String()), stop_hook_active: Type.Optional(Type.Boolean()) },
  strict,
);

/** The client showed the user a notification (permission prompt, idle, ...). */
export const NotificationV1 = Type.Object(
  {
    message: Type.String(),
    title: Type.Optional(Type.String()),
    notification_type: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: the session began. */
export const SessionStartV1 = Type.Object(
  {
    source: Type.Optional(NonEmpty),
    cwd: Type.Optional(Type.String()),
    model: Type.Optional(NonEmpty),
    git_branch: Type.Optional(Type.String()),
    phase: Type.Optional(Type.Union([NonEmpty, Count])),
    client: Type.Optional(NonEmpty),
  },
  strict,
);

/** Session lifecycle: the session ended. */
export const SessionEndV1 = Type.Object({ reason: Type.Optional(Type.String()) }, strict);

/** Session lifecycle: the session moved to another phase of work. */
export const PhaseV1 = Type.Object(
  { phase: Type.Union([NonEmpty, Count]), name: Type.Optional(Type.String()) },
  strict,
);

/** Session lifecycle: a snapshot of the session's state was written. */
export const SnapshotV1 = Type.Object(
  {
    snapshot_id: NonEmpty,
    trigger: NonEmpty,
    at_seq: Type.Optional(Count),
    checksum: Type.Optional(Type.String()),
  },
  strict,
);

/** Session lifecycle: a handoff summary was written. */
export const HandoffV1 = Type.Object(
  { path: NonEmpty, trigger: Type.Optional(NonEmpty), tokens: Type.Optional(Count) },
  strict,
);

/** Session lifecycle: the session was copied to a storage target. */
export const BackupV1 = Type.Object(
  {
    target: NonEmpty,
    location: Type.Optional(Type.String()),
    checksum: Type.Optional(Type.String()),
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
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    level: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    message: Type.String({ minLength: 1, maxLength: 2_000 }),
    metric: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    value: Type.Optional(Type.Number()),
    threshold: Type.Optional(Type.Number()),
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
