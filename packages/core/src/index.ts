export {
  type CaptureScriptOptions,
  captureScript,
  captureScriptPath,
  currentSatCommand,
  INGEST_TRIGGER_EVENTS,
  spoolDir,
  writeCaptureScript,
} from './claude-code/capture-script.js';
export {
  type BadPayload,
  type IngestHookOptions,
  type IngestHookResult,
  ingestHookSpool,
  spoolFileTime,
} from './claude-code/hook-ingest.js';
export {
  agentInvocationFromTask,
  decisionsFromTool,
  FILE_TOOLS,
  fileOperationFromTool,
  gitBlobHash,
  summarizeToolInput,
  toolErrorPayload,
} from './claude-code/normalize.js';
export {
  contextWindowFor,
  DEFAULT_CONTEXT_WINDOW,
  DEFAULT_PRICES,
  findModelPrice,
  type ModelPrice,
  ModelPriceOverrideSchema,
  normalizeModelId,
  PRICES_AS_OF,
  type PriceableUsage,
  type PricedUsage,
  type PriceOverrides,
  type PriceTable,
  priceUsage,
  withPriceOverrides,
} from './claude-code/prices.js';
export {
  type AgentProgressItem,
  type ApiResponseItem,
  type AssistantTextItem,
  type CompactBoundaryItem,
  type CompactSummaryItem,
  type InterruptItem,
  type ItemContext,
  type ReadTranscriptOptions,
  readTranscript,
  type SessionInfoItem,
  type SummaryItem,
  type SyntheticMessageItem,
  type SystemItem,
  type ToolResultItem,
  type ToolUseItem,
  type TranscriptIssue,
  type TranscriptItem,
  type UserPromptItem,
} from './claude-code/transcript-reader.js';
export {
  type ContentBlock,
  SUBAGENT_TOOL_NAMES,
  type SubagentRunResult,
  SYNTHETIC_MODEL,
  subagentRunResult,
  type TokenUsage,
} from './claude-code/transcript-records.js';
export {
  type SummarizeOptions,
  summarizeTranscript,
  type TokenTotals,
  type TranscriptSummary,
} from './claude-code/transcript-stats.js';
export {
  CONFIG_FILE_NAME,
  type ConfigFile,
  type SatConfig,
  type SatPaths,
  type WriterSettings,
} from './config/config-schema.js';
export { CONFIG_ENV, findProjectDir, type LoadConfigOptions, loadConfig } from './config/load-config.js';
export {
  describeSystemError,
  isSatError,
  SatError,
  type SatErrorCode,
  type SatErrorOptions,
} from './errors.js';
export type { AnySatEvent, NewEvent, SatEvent } from './events/envelope.js';
export {
  CAPTURE_EVENT_TYPES,
  EVENT_TYPES,
  type EventPayloads,
  type EventType,
  LIFECYCLE_EVENT_TYPES,
  PAYLOAD_VERSIONS,
  type PayloadVersion,
  ROADMAP_EVENT_TYPES,
  type TokenCounts,
} from './events/payloads.js';
export { EventSchemas, eventSchemas } from './events/validate.js';
export { assertSessionId, isValidSessionId, newId } from './ids.js';
export { getActiveSession, setActiveSession } from './log/active-session.js';
export { fsyncDir, writeFileAtomic } from './log/atomic-file.js';
export {
  type CloseOptions,
  type CloseResult,
  closeSessionLog,
  reopenSessionLog,
} from './log/close-session.js';
export {
  type FollowOptions,
  followSessionEvents,
  listSessionIds,
  type ReadIssue,
  type ReadOptions,
  readAllEvents,
  readSessionEvents,
} from './log/event-reader.js';
export {
  EventWriter,
  type EventWriterOptions,
  type FlushResult,
  MAX_EVENT_BYTES,
  type WriterFs,
} from './log/event-writer.js';
export { type KnownEvents, loadKnownEvents } from './log/known-ids.js';
export { FileLock, type FileLockOptions, isOwnerAlive, type LockOwner } from './log/lock.js';
export {
  BACKUP_MARKER_EXT,
  COMPRESSED_EXT,
  META_EXT,
  PLAIN_EXT,
  type SessionLogFiles,
  sessionLogFiles,
} from './log/log-files.js';
export { Quarantine, type QuarantineEntry } from './log/quarantine.js';
export { applyRetention, planRetention, type RetentionItem, type RetentionPlan } from './log/retention.js';
export {
  listSessions,
  readSessionMeta,
  type SessionInfo,
  type SessionMeta,
  sessionInfo,
} from './log/sessions.js';
export {
  createTracker,
  type LogOptions,
  type StartSessionOptions,
  type Tracker,
  type TrackerFlushResult,
  type TrackerOptions,
} from './tracker.js';
