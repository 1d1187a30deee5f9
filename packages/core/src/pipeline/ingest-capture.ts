import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type IngestHookResult, ingestHookSpool } from '../capture/hook-spool-ingest.js';
import { configRedactor } from '../capture/redaction.js';
import { importTranscripts } from '../capture/transcript-import.js';
import { transcriptPathRefusal, transcriptRoots } from '../capture/transcript-paths.js';
import type { SatConfig } from '../config/config-schema.js';
import { createHandoff, handoffIfDue } from '../handoff/create-handoff.js';
import { digestCacheDir, refreshDigestCache } from '../insights/digest-cache.js';
import { closeSessionLog } from '../log/close-session.js';
import { snapshotIfDue } from '../snapshots/create-snapshot.js';
import { type AutoBackupOptions, type AutoBackupResult, autoBackupSessions } from './auto-backup.js';
import { type RaiseAlertsResult, raiseAlerts } from './raise-alerts.js';
import { writeSessionSummaryFiles } from './session-summary-file.js';

/** What {@link ingestCapture} did after the spool ingest. */
export interface IngestCaptureResult extends IngestHookResult {
  /** API responses (tokens) and transcript-only events imported from the transcripts the payloads name. */
  imported: number;
  snapshots: string[];
  handoffs: string[];
  /** The alerts raised (appended as `alert` events), per session. */
  alerts: Array<{ session: string; raised: RaiseAlertsResult['raised'] }>;
  closed: string[];
  /** The automatic backups (when `autoBackup` was given and `config.backup.auto` is on). */
  backups: AutoBackupResult['backups'];
  /** Queued backups retried in this run. */
  backupQueue?: AutoBackupResult['queue'];
  /** Steps that failed; capture goes on regardless (the agent must never be held up). */
  warnings: string[];
}

/**
 * The transcript files a payload named, plus each main transcript's sub-agent folder; only
 * `.jsonl` files inside `roots` (the hook ingest refused and reported the others already).
 */
function transcriptPaths(named: readonly string[], roots: readonly string[]): string[] {
  const out = new Set<string>();
  for (const file of named) {
    if (!existsSync(file) || transcriptPathRefusal(file, roots) !== undefined) continue;
    out.add(file);
    if (file.endsWith('.jsonl') && !dirname(file).endsWith('subagents')) {
      const subagents = join(file.slice(0, -'.jsonl'.length), 'subagents');
      if (existsSync(subagents)) out.add(subagents);
    }
  }
  return [...out];
}

/** Options of {@link ingestCapture}. */
export interface IngestCaptureOptions {
  /** How long to wait for another ingest that holds the spool. Default 0 (leave it to that one). */
  waitMs?: number;
  /**
   * Back up the sessions that are due (handoff written, context at 90%, session ended) and retry
   * the queued backups that are due, to the target this opens. Without it nothing is backed up.
   */
  autoBackup?: AutoBackupOptions;
}

/**
 * The whole capture pipeline after the hooks: turns the spooled hook payloads into events,
 * imports the token usage (and whatever else only the transcript has) from the transcripts the
 * payloads name, raises the alerts that are due (`raiseAlerts`), takes the snapshots and handoffs that are due, and closes the sessions that
 * ended, then (with `autoBackup`) backs up the sessions that are due. Run by `sat ingest`, by the capture hook in the background at turn and session ends,
 * and first by every reading command. Each step after the first is best effort: its failure
 * is reported in `warnings` and never loses captured data (the next run retries).
 */
export async function ingestCapture(
  config: SatConfig,
  options: IngestCaptureOptions = {},
): Promise<IngestCaptureResult> {
  const logsDir = config.paths.logs;
  const roots = transcriptRoots(config.capture.transcriptRoots);
  const hooks = await ingestHookSpool({
    logsDir,
    waitMs: options.waitMs,
    transcriptRoots: roots,
    redactor: configRedactor(config),
  });
  const result: IngestCaptureResult = {
    ...hooks,
    imported: 0,
    snapshots: [],
    handoffs: [],
    alerts: [],
    closed: [],
    backups: [],
    warnings: [],
  };
  for (const { session, path, reason } of hooks.refusedTranscripts)
    result.warnings.push(`transcript of ${session} not read: ${path} (${reason})`);
  if (hooks.busy) return result;
  if (hooks.sessions.length === 0) return withBackups(config, result, options.autoBackup);

  const paths = transcriptPaths(hooks.transcripts, roots);
  if (paths.length > 0) {
    try {
      const imported = await importTranscripts({
        paths,
        logsDir,
        stateDir: config.paths.state,
        prices: config.prices,
        writer: config.writer,
        redactor: configRedactor(config),
      });
      result.imported = imported.appended;
    } catch (error) {
      result.warnings.push(`token import: ${(error as Error).message}`);
    }
  }
  const ended = new Set(hooks.endedSessions);
  for (const session of hooks.sessions) {
    try {
      // Before the snapshot and handoff, so that they hold the alert.
      const alerts = await raiseAlerts(config, session);
      if (alerts.raised.length > 0) result.alerts.push({ session, raised: alerts.raised });
    } catch (error) {
      result.warnings.push(`alerts of ${session}: ${(error as Error).message}`);
    }
    try {
      const snapshot = await snapshotIfDue(config, session);
      if (snapshot.created) result.snapshots.push(session);
      // A handoff at the session's end (to resume from), else when the context is nearly full or compacted.
      const handoff = ended.has(session)
        ? { created: await createHandoff(config, session, { trigger: 'session-end' }) }
        : await handoffIfDue(config, session);
      if (handoff.created) result.handoffs.push(session);
    } catch (error) {
      result.warnings.push(`snapshot/handoff of ${session}: ${(error as Error).message}`);
    }
  }
  for (const session of hooks.endedSessions) {
    try {
      await closeSessionLog(logsDir, session, { lockTimeoutMs: config.writer.lockTimeoutMs });
      result.closed.push(session);
    } catch (error) {
      result.warnings.push(`closing ${session}: ${(error as Error).message}`);
    }
  }
  // A closed log no longer changes: its digest is cached now, so that reviews read no log.
  if (result.closed.length > 0) {
    const cache = await refreshDigestCache(logsDir, digestCacheDir(config), result.closed);
    result.warnings.push(...cache.failed.map((f) => f.message));
  }
  const done = await withBackups(config, result, options.autoBackup);
  done.warnings.push(...(await writeSessionSummaryFiles(config, done.sessions)).warnings);
  return done;
}

async function withBackups(
  config: SatConfig,
  result: IngestCaptureResult,
  autoBackup: AutoBackupOptions | undefined,
): Promise<IngestCaptureResult> {
  if (!autoBackup) return result;
  const backups = await autoBackupSessions(config, result.sessions, autoBackup);
  result.backups = backups.backups;
  if (backups.queue) result.backupQueue = backups.queue;
  result.warnings.push(...backups.warnings);
  return result;
}
