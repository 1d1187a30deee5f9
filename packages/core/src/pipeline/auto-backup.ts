import { listBackupQueue, processBackupQueue, type QueueRunResult } from '../backup/backup-queue.js';
import { type BackupResult, backupSession } from '../backup/backup-session.js';
import type { DatabaseBackup } from '../backup/session-sources.js';
import type { SatConfig } from '../config/config-schema.js';
import { markerCoversLog, readBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { readSessionMeta, sessionInfo } from '../log/sessions.js';
import type { SessionState } from '../session-state/session-state.js';
import { summarizeSessionState } from '../session-state/session-summary.js';
import { loadSessionState } from '../snapshots/create-snapshot.js';
import type { StorageTarget } from '../storage/storage-target.js';

/**
 * Context fill (percent of the model's window) at which Claude Code warns that the context is
 * nearly full; a session's backup is taken then, once per context (a compaction starts a new one).
 */
export const BACKUP_CONTEXT_WARNING_PERCENT = 90;

/**
 * Why an automatic backup of a session is due: `handoff` (a handoff was written after the last
 * backup), `context-warning` (the context passed {@link BACKUP_CONTEXT_WARNING_PERCENT}),
 * `session-end` (the session ended and its closed log is not backed up yet).
 */
export type BackupTrigger = 'handoff' | 'context-warning' | 'session-end';

/**
 * Whether an automatic backup of an open session is due, from its state alone: `handoff` when a
 * handoff was written after the session's last `backup` event, `context-warning` when the main
 * agent's context (measured after the last compaction) is at least 90% full and no
 * `context-warning` backup was taken since that compaction. Undefined otherwise, and for an
 * ended session (whose backup marker decides, see {@link autoBackupSessions}). Pure.
 *
 * @example
 * backupTrigger(state, config); // 'context-warning'
 */
export function backupTrigger(
  state: SessionState,
  config: Pick<SatConfig, 'prices'>,
): Exclude<BackupTrigger, 'session-end'> | undefined {
  if (state.ended) return undefined;
  const last = state.lastBackup;
  if (state.lastHandoff && state.lastHandoff.seq > (last?.seq ?? 0)) return 'handoff';
  const compaction = state.compaction.lastPreCompactSeq ?? 0;
  if (!state.context || state.context.seq <= compaction) return undefined;
  if (last?.trigger === 'context-warning' && last.seq > compaction) return undefined;
  const context = summarizeSessionState(state, config.prices).context;
  return context && context.percent >= BACKUP_CONTEXT_WARNING_PERCENT ? 'context-warning' : undefined;
}

/** How {@link autoBackupSessions} reaches the configured target and the analytics database. */
export interface AutoBackupOptions {
  /**
   * Opens the configured target. Called at most once, and only when a backup is due or the
   * queue holds jobs, so a run with nothing to do never loads a cloud client.
   */
  openTarget: () => Promise<StorageTarget>;
  /** Online backup of the analytics database (see `backupSession`). */
  databaseBackup?: DatabaseBackup;
}

/** One session {@link autoBackupSessions} looked at and backed up (or queued). */
export interface AutoBackupItem {
  session: string;
  trigger: BackupTrigger;
  /** `uploaded`, `unchanged` or `queued` (the target was unavailable). */
  status: BackupResult['status'];
  location: string;
}

/** What {@link autoBackupSessions} did. */
export interface AutoBackupResult {
  /** The queued backups that were due, retried first (undefined when the queue was empty). */
  queue?: QueueRunResult;
  backups: AutoBackupItem[];
  /** What failed; the run goes on (capture must never be held up). */
  warnings: string[];
}

/** Why a session is due for an automatic backup, or undefined. */
async function dueTrigger(config: SatConfig, session: string): Promise<BackupTrigger | undefined> {
  const files = sessionLogFiles(config.paths.logs, session);
  const info = sessionInfo(config.paths.logs, session);
  if (!info) return undefined;
  if (info.status !== 'active') {
    // A closed log cannot take a `backup` event: its marker says whether it is safe.
    return markerCoversLog(readBackupMarker(files), readSessionMeta(files)) ? undefined : 'session-end';
  }
  const { state } = await loadSessionState(config, session);
  return backupTrigger(state, config);
}

/**
 * The automatic backups of the capture pipeline: retries the queued backups whose time has come
 * (the target is opened only when one has),
 * then backs up each of `sessions` that is due (see {@link backupTrigger}; an ended session
 * whose closed log has no backup marker covering it). Does nothing when `config.backup.auto` is
 * false. Never throws: failures land in `warnings`, and an unavailable target queues the backup
 * for a later run (exponential backoff with jitter).
 *
 * @example
 * await autoBackupSessions(config, ['s1'], { openTarget: async () => new LocalDirectoryTarget({ dir }) });
 */
export async function autoBackupSessions(
  config: SatConfig,
  sessions: readonly string[],
  options: AutoBackupOptions,
): Promise<AutoBackupResult> {
  const result: AutoBackupResult = { backups: [], warnings: [] };
  if (!config.backup.auto) return result;
  const due: { session: string; trigger: BackupTrigger }[] = [];
  for (const session of sessions) {
    try {
      const trigger = await dueTrigger(config, session);
      if (trigger) due.push({ session, trigger });
    } catch (error) {
      result.warnings.push(`backup check of ${session}: ${(error as Error).message}`);
    }
  }
  let queued: boolean;
  try {
    const now = Date.now();
    queued = listBackupQueue(config).some((job) => Date.parse(job.nextAttemptAt) <= now);
  } catch (error) {
    result.warnings.push(`backup queue: ${(error as Error).message}`);
    queued = false;
  }
  if (due.length === 0 && !queued) return result;

  let target: StorageTarget;
  try {
    target = await options.openTarget();
  } catch (error) {
    result.warnings.push(`automatic backup: ${(error as Error).message}`);
    return result;
  }
  if (queued) {
    try {
      result.queue = await processBackupQueue(config, target);
    } catch (error) {
      result.warnings.push(`backup queue: ${(error as Error).message}`);
    }
  }
  for (const { session, trigger } of due) {
    try {
      const backup = await backupSession(config, target, session, {
        databaseBackup: options.databaseBackup,
        trigger,
      });
      result.backups.push({ session, trigger, status: backup.status, location: backup.location });
      for (const warning of backup.warnings) result.warnings.push(`backup of ${session}: ${warning}`);
    } catch (error) {
      result.warnings.push(`backup of ${session}: ${(error as Error).message}`);
    }
  }
  return result;
}
