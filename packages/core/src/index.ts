/**
 * `@sat/core`: events, the append-only log, capture, redaction, pricing and usage, projections, the
 * generic analytics store, insights, session state, snapshots, handoffs, recovery, `StorageTarget`
 * and the local folder target, backups, archives and the pipeline.
 *
 * @module @sat/core
 */
export {
  ARCHIVE_MANIFEST_NAME,
  ARCHIVE_NAME,
  ARCHIVE_ROOT,
  ARCHIVE_ROOT_PREFIX,
  type ArchiveKeys,
  archiveKeys,
  parseArchiveKey,
} from './archive/archive-layout.js';
export {
  ARCHIVE_FORMAT,
  type ArchivedSession,
  type ArchiveManifest,
  ArchiveManifestSchema,
  parseArchiveManifest,
} from './archive/archive-manifest.js';
export {
  type ArchivedSessionResult,
  type ArchivePhaseOptions,
  type ArchivePhaseResult,
  type ArchiveProgress,
  archivePhase,
} from './archive/archive-phase.js';
// archive
export {
  type ArchiveObjectState,
  type ArchiveState,
  type ArchiveTierTarget,
  type RestoreRequestOptions,
  type RestoreRequestResult,
  type RestoreTier,
  supportsArchiveTier,
} from './archive/archive-tier.js';
export { type ArchiveListing, listArchives } from './archive/list-archives.js';
export { type PhaseDue, type PhasesDueOptions, phasesDueForArchive } from './archive/phases-due.js';
export {
  type PruneArchivedPhaseOptions,
  type PruneArchivedPhaseResult,
  pruneArchivedPhase,
} from './archive/prune-archived-phase.js';
export {
  type ReadStoredSessionsOptions,
  readStoredSessions,
  type StoredSessionFilter,
  type StoredSessionRead,
  type StoredSessions,
  type StoredSessionUnreadable,
} from './archive/read-stored-sessions.js';
export {
  type RestoreArchiveOptions,
  type RestoreArchiveResult,
  restoreArchive,
} from './archive/restore-archive.js';
export {
  BACKUP_ROOT,
  BUNDLE_NAME,
  type BundleFileKind,
  backupPrefix,
  localPathOf,
  MANIFEST_NAME,
  type ParsedBackupKey,
  parseBackupKey,
  phaseSegment,
} from './backup/backup-layout.js';
export {
  type BackupManifest,
  BackupManifestSchema,
  type BundleFile,
  MANIFEST_FORMAT,
  parseManifest,
  SHARED_MANIFEST_FORMAT,
  type SharedBy,
} from './backup/backup-manifest.js';
export {
  BACKUP_QUEUE_FILE,
  type BackoffOptions,
  type BackupJob,
  backupQueuePaths,
  listBackupQueue,
  type ProcessQueueOptions,
  processBackupQueue,
  type QueueJobResult,
  type QueueRunResult,
  retryDelayMs,
} from './backup/backup-queue.js';
export {
  type BackupOptions,
  type BackupResult,
  type BackupSessionsItem,
  backupSession,
  backupSessions,
} from './backup/backup-session.js';
export { type BackupCheck, checkBackup } from './backup/check-backup.js';
export type { Delivery, TransferProgress } from './backup/deliver-backup.js';
export { type BackupListing, findSessionBackup, listBackups } from './backup/list-backups.js';
export { probeStorageTarget, type TargetProbe } from './backup/probe-target.js';
export {
  type RestoredFile,
  type RestoreOptions,
  type RestoreResult,
  restoreSession,
} from './backup/restore-session.js';
export { readSessionPhase } from './backup/session-phase.js';
export type { DatabaseBackup } from './backup/session-sources.js';
export {
  findWorkLeftovers,
  removeWorkLeftovers,
  WORK_FOLDERS,
  type WorkLeftover,
  workFolderName,
} from './backup/work-leftovers.js';
export {
  type CaptureScriptOptions,
  captureScript,
  captureScriptPath,
  currentSatCommand,
  INGEST_TRIGGER_EVENTS,
  spoolDir,
  writeCaptureScript,
} from './capture/capture-script.js';
export {
  type BadPayload,
  type IngestHookOptions,
  type IngestHookResult,
  ingestHookSpool,
  type LostCapture,
  listLostCaptures,
  type RefusedTranscript,
  spoolFileTime,
} from './capture/hook-spool-ingest.js';
export {
  IMPORT_STATE_FILE,
  type ImportedFile,
  type ImportState,
  importStatePath,
  loadImportState,
} from './capture/import-state.js';
export {
  createLiveWatch,
  type LiveBatch,
  type LiveIssue,
  type LiveWatch,
  type LiveWatchOptions,
} from './capture/live-watch.js';
export {
  type OtlpExportResponse,
  type OtlpReceipt,
  type OtlpSessionReceipt,
  otlpResponse,
  type ReceiveOtlpOptions,
  receiveOtlp,
} from './capture/otlp-ingest.js';
export { configRedactor } from './capture/redaction.js';
export {
  createTracker,
  type LogOptions,
  type StartSessionOptions,
  type Tracker,
  type TrackerFlushResult,
  type TrackerOptions,
} from './capture/tracker.js';
export {
  type ImportIssue,
  type ImportResult,
  type ImportTranscriptsOptions,
  importTranscripts,
} from './capture/transcript-import.js';
export { transcriptPathRefusal, transcriptRoots } from './capture/transcript-paths.js';
export type { PendingToolCall } from './claude-code/hook-handler.js';
export {
  agentInvocationFromTask,
  decisionsFromTool,
  FILE_TOOLS,
  fileOperationFromTool,
  summarizeToolInput,
  toolErrorPayload,
} from './claude-code/normalize.js';
export {
  defaultTranscriptRoot,
  discoverTranscripts,
  peekTranscript,
  type TranscriptFile,
  type TranscriptHead,
} from './claude-code/transcript-discovery.js';
export {
  type MappedEvent,
  PROMPT_CHARS,
  type SubagentLink,
  TranscriptEventMapper,
  type TranscriptMapperOptions,
  UNKNOWN_MODEL,
} from './claude-code/transcript-events.js';
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
export { assertCloudAllowed, assertMongoAllowed, isLocalMongoUrl } from './config/cloud-access.js';
export {
  type AlertSettings,
  type ArchiveSettings,
  type BackupSettings,
  type CaptureSettings,
  CONFIG_FILE_NAME,
  type ConfigFile,
  DEFAULT_ALERTS,
  DEFAULT_GDRIVE_FOLDER,
  DEFAULT_HANDOFF,
  DEFAULT_KEEP_PHASES,
  DEFAULT_MONGO_DATABASE,
  DEFAULT_REDACT,
  DEFAULT_SNAPSHOTS,
  type HandoffSettings,
  type Identity,
  type MongoStoreSettings,
  type PrivacySettings,
  type RedactAllow,
  type RedactPattern,
  type RedactSettings,
  type S3Settings,
  type SatConfig,
  type SatPaths,
  type SnapshotSettings,
  STATUSLINE_SEGMENTS,
  type StatuslineSegment,
  type StoreSettings,
  type WriterSettings,
} from './config/config-schema.js';
export { CONFIG_ENV, findProjectDir, type LoadConfigOptions, loadConfig } from './config/load-config.js';
export {
  asEnvironmentError,
  describeSystemError,
  ENVIRONMENT_ERROR_CODES,
  isSatError,
  SatError,
  type SatErrorCode,
  type SatErrorOptions,
} from './errors.js';
export { type AnySatEvent, isRealIsoTime, type NewEvent, type SatEvent } from './events/envelope.js';
export {
  describeOwner,
  type EventOrigin,
  type EventOwner,
  eventOrigin,
  eventOwner,
  type SessionOwner,
} from './events/event-origin.js';
export {
  CAPTURE_EVENT_TYPES,
  EVENT_TYPES,
  type EventPayloads,
  type EventType,
  LIFECYCLE_EVENT_TYPES,
  MAX_DURATION_MS,
  PAYLOAD_VERSIONS,
  type PayloadVersion,
  ROADMAP_EVENT_TYPES,
  type TokenCounts,
} from './events/payloads.js';
export { EventSchemas, eventSchemas } from './events/validate.js';
export { gitBlobHash } from './git-hash.js';
export {
  type CreateHandoffOptions,
  createHandoff,
  type HandoffResult,
  handoffIfDue,
  handoffToResume,
  latestHandoffForProject,
  latestHandoffPath,
  newestHandoffFile,
  type ResumeHandoff,
  sessionTranscriptTokens,
} from './handoff/create-handoff.js';
export { HANDOFF_SECTIONS, type HandoffSection, promptText } from './handoff/handoff-markdown.js';
export { readLatestHandoff, type StoredHandoff } from './handoff/stored-handoff.js';
export { CHARS_PER_TOKEN, estimateTokens, estimateTokensFromBytes } from './handoff/token-estimate.js';
export { assertSessionId, isValidSessionId, newId } from './ids.js';
export * from './insights/index.js';
export { getActiveSession, setActiveSession } from './log/active-session.js';
export { fsyncDir, writeFileAtomic } from './log/atomic-file.js';
export type { ArchiveMarker } from './log/backup-marker.js';
export {
  type BackupMarker,
  markerCoversLog,
  readBackupMarker,
  writeBackupMarker,
} from './log/backup-marker.js';
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
export { type KnownAgent, type KnownEvents, loadKnownEvents, promptJoinKey } from './log/known-ids.js';
export { FileLock, type FileLockOptions, isOwnerAlive, type LockOwner } from './log/lock.js';
export {
  BACKUP_MARKER_EXT,
  COMPRESSED_EXT,
  META_EXT,
  PLAIN_EXT,
  type SessionLogFiles,
  sessionLogFiles,
} from './log/log-files.js';
export {
  type LogIdentity,
  LogMemo,
  type LogMemoEntry,
  type LogMemoOptions,
  LogsVersion,
  type LogsVersionOptions,
  logsFingerprint,
  sameLogIdentity,
  sessionLogIdentity,
} from './log/log-memo.js';
export { Quarantine, type QuarantineEntry } from './log/quarantine.js';
export { applyRetention, planRetention, type RetentionItem, type RetentionPlan } from './log/retention.js';
export { loadMemoEntries, type SavedMemoHeader, saveMemoEntries } from './log/saved-log-memo.js';
export { SessionInfoMemo } from './log/session-info-memo.js';
export { sessionOwner } from './log/session-owner.js';
export {
  IDLE_AFTER_MS,
  listSessions,
  readSessionMeta,
  type SessionActivity,
  type SessionInfo,
  type SessionMeta,
  sessionActivity,
  sessionInfo,
} from './log/sessions.js';
export {
  isPurged,
  listTombstones,
  readTombstone,
  removeTombstone,
  type Tombstone,
  tombstonesDir,
  writeTombstone,
} from './log/tombstones.js';
export {
  claudeCodeEventName,
  mapClaudeCodeLog,
  type OtelEvent,
  type OtelMapping,
  type OtelSessionMetrics,
  summarizeClaudeCodeMetrics,
} from './otel/claude-code-otel.js';
export {
  anyValue,
  attributesOf,
  decodeOtlpLogs,
  decodeOtlpMetrics,
  OTLP_MAX_VALUE_CHARS,
  type OtlpAttributes,
  type OtlpDecoded,
  type OtlpLogRecord,
  type OtlpMetricPoint,
  type OtlpRejection,
  type OtlpValue,
} from './otel/otlp-json.js';
export {
  type AlertInputs,
  type AlertPayload,
  dueAlerts,
  type ErrorBaseline,
  spikeCandidate,
  spikeThreshold,
} from './pipeline/alert-rules.js';
export {
  type AutoBackupItem,
  type AutoBackupOptions,
  type AutoBackupResult,
  autoBackupSessions,
  BACKUP_CONTEXT_WARNING_PERCENT,
  type BackupTrigger,
  backupTrigger,
} from './pipeline/auto-backup.js';
export {
  type IngestCaptureOptions,
  type IngestCaptureResult,
  ingestCapture,
} from './pipeline/ingest-capture.js';
export {
  type AlertListing,
  AlertMemo,
  type AlertMemoOptions,
  alertScansFile,
  type ListAlertsOptions,
  type ListedAlert,
  listAlerts,
} from './pipeline/list-alerts.js';
export {
  BASELINE_SESSIONS,
  errorBaseline,
  type RaiseAlertsResult,
  raiseAlerts,
} from './pipeline/raise-alerts.js';
export {
  buildSessionSummaryFile,
  type SummaryFileInput,
  type WriteSummariesResult,
  writeSessionSummaryFiles,
} from './pipeline/session-summary-file.js';
export {
  type ReadSummaryResult,
  readSessionSummaryFile,
  SESSION_SUMMARY_FILE_VERSION,
  SESSION_SUMMARY_MAX_BYTES,
  type SessionSummaryFile,
  type SummaryAlert,
  type SummaryRunningAgent,
  sessionSummaryDir,
  sessionSummaryFilePath,
} from './pipeline/session-summary-reader.js';
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
} from './pricing/prices.js';
export {
  cutText,
  EXPORT_TEXT_LIMIT,
  type ExportEntry,
  type ExportEntryKind,
  exportEntries,
  type SessionExportDocument,
} from './privacy/export-entries.js';
export { escapeHtml, sessionHtml } from './privacy/export-html.js';
export { sessionMarkdown } from './privacy/export-markdown.js';
export {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportResult,
  exportSession,
  sessionExportDocument,
} from './privacy/export-session.js';
export { type ScrubOutcome, scrubJson } from './privacy/json-scrub.js';
export { listPurgeQueue, type PurgeJob, withPurgeQueue } from './privacy/purge-queue.js';
export { type PurgeOptions, type PurgeResult, purgeSessions } from './privacy/purge-sessions.js';
export { type PurgeTarget, type PurgeTargetResult, purgeOnTarget } from './privacy/purge-targets.js';
export {
  type FootprintAction,
  type FootprintItem,
  footprintFolders,
  PURGE_QUEUE_FILE,
  sessionFootprint,
} from './privacy/session-footprint.js';
export * from './projections/index.js';
export {
  type CrashMarker,
  DEFAULT_QUIET_MINUTES,
  type FindIncompleteOptions,
  findIncompleteSessions,
  type IncompleteReason,
  type IncompleteSession,
  markSessionCrashed,
  type RecoveredMarker,
  type RecoverResult,
  readLastEvents,
  readRecoveredMarker,
  recoverSession,
  type SessionProgress,
  sessionProgress,
} from './recovery/recovery.js';
export { DEFAULT_REDACT_SALT, redactionMarker, secretHash } from './redact/redact-marker.js';
export { loadRedactSalt, REDACT_SALT_FILE } from './redact/redact-salt.js';
export {
  createRedactor,
  type RedactedText,
  type RedactedValue,
  type RedactFinding,
  type Redactor,
  type RedactorOptions,
} from './redact/redactor.js';
export {
  type AttemptLimits,
  type BackoffPolicy,
  delayFor,
  type PollOptions,
  type PollSyncOptions,
  poll,
  pollSync,
  sleep,
  sleepSync,
} from './retry.js';
export {
  CONTEXT_ALERT,
  currentAlerts,
  ERROR_SPIKE_ALERT,
  windowErrorRate,
} from './session-state/alert-state.js';
export {
  type LoggedEvent,
  type ReadAfterOptions,
  type ReplayResult,
  type ReplayStart,
  readEventsAfter,
  replaySession,
} from './session-state/log-replay.js';
export { GOAL_CHARS, reduceSession } from './session-state/reduce-session.js';
export {
  type AgentRunState,
  type AgentTally,
  type AlertState,
  type DecisionState,
  emptySessionState,
  type FailedValidation,
  type FileState,
  type MessageState,
  type OpenError,
  type PromptState,
  type RecentResponse,
  SESSION_STATE_VERSION,
  type SessionState,
  STATE_LIMITS,
  type TodoItem,
  type TodoList,
  type TokenBucket,
} from './session-state/session-state.js';
export {
  type ModelTokens,
  newTokensOf,
  type SessionStateSummary,
  stateTokensByModel,
  stateUsage,
  stateUsageLedger,
  summarizeSessionState,
} from './session-state/session-summary.js';
export { bundleEvents, bundleId, type OpenedBundle, openBundleFile } from './share/bundle-file.js';
export { type ConflictRecord, conflictsFile, keepConflicts } from './share/conflicts-file.js';
export { eventContent, sameEvent } from './share/event-content.js';
export {
  type BundleImportResult,
  type BundleSummary,
  type ImportBundleOptions,
  type ImportConflict,
  importBundle,
  UNKNOWN_SHARER,
} from './share/import-bundle.js';
export {
  type BundleOrigin,
  derivedSessionId,
  type EventConflict,
  type MergePlan,
  planMerge,
  reusedSessionId,
} from './share/merge-plan.js';
export { REDACTED_TEXT, redactPrompts } from './share/redact-prompts.js';
export { type ShareOptions, type ShareResult, shareSession } from './share/share-session.js';
export {
  type CreateSnapshotOptions,
  type CreateSnapshotResult,
  createSnapshot,
  type LoadedSessionState,
  loadSessionState,
  type SessionStateOptions,
  type SnapshotIfDueResult,
  snapshotIfDue,
} from './snapshots/create-snapshot.js';
export {
  type DiffSnapshotsOptions,
  diffSnapshots,
  type FileDelta,
  findSnapshot,
  getLatestSnapshot,
  listSnapshots,
  loadSnapshot,
  restoreSnapshot,
  type SnapshotDiff,
  sessionsWithSnapshots,
  snapshotContentReader,
} from './snapshots/snapshot-queries.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_INDEX, snapshotDir } from './snapshots/snapshot-store.js';
export { type HandoffTrigger, handoffTrigger, snapshotTriggers } from './snapshots/snapshot-triggers.js';
export {
  SNAPSHOT_TRIGGERS,
  type Snapshot,
  type SnapshotFile,
  type SnapshotFileRef,
  type SnapshotIssue,
  type SnapshotMeta,
  type SnapshotReadOptions,
  type SnapshotTrigger,
} from './snapshots/snapshot-types.js';
export { ChecksumStream, checksumOf } from './storage/checksum-stream.js';
export {
  LOCAL_RESERVED_PREFIX,
  LOCAL_SIDECAR_SUFFIX,
  LocalDirectoryTarget,
  type LocalDirectoryTargetOptions,
} from './storage/local-directory-target.js';
export { isRetryableStorageError } from './storage/storage-errors.js';
export {
  assertStorageKey,
  assertStoragePrefix,
  MAX_KEY_BYTES,
  storageKeyProblem,
} from './storage/storage-keys.js';
export type {
  Checksums,
  PutOptions,
  PutResult,
  ServerChecksum,
  StorageCapabilities,
  StorageTarget,
  StoredObject,
} from './storage/storage-target.js';
export * from './store/index.js';
export {
  type ErrorSummary,
  type FileChange,
  type SessionOverview,
  sessionOverview,
  type ToolSummary,
} from './usage/session-overview.js';
export {
  type AgentRuns,
  type SessionUsage,
  type SessionUsageOptions,
  sessionUsage,
  UsageAccumulator,
} from './usage/session-usage.js';
export {
  addUsageTokenCounts,
  type UsageFact,
  type UsageSource,
  type UsageTokenCounts,
  usageFactOf,
  zeroUsageTokenCounts,
} from './usage/usage-facts.js';
export {
  SessionUsageIndex,
  type SessionUsageIndexOptions,
  USAGE_INDEX_VERSION,
  type UsageIndexSaveResult,
  usageIndexFile,
} from './usage/usage-index.js';
export { joinClaudeCodeFacts, UsageLedger, type UsageTally } from './usage/usage-ledger.js';
export {
  type AgentUsage,
  type CostSource,
  type ModelUsage,
  type UsageReport,
  type UsageReportOptions,
  usageReport,
} from './usage/usage-report.js';
