import { existsSync, rmSync, statSync } from 'node:fs';
import { markerCoversLog, readBackupMarker } from './backup-marker.js';
import { sessionLogFiles } from './log-files.js';
import { listSessions, readSessionMeta, type SessionInfo } from './sessions.js';

/** One session `gc` would remove or must keep. */
export interface RetentionItem {
  session: string;
  files: string[];
  bytes: number;
  reason: string;
}

/** What retention would do. */
export interface RetentionPlan {
  keepSessions: number;
  /** Kept because they are among the newest `keepSessions`. */
  kept: RetentionItem[];
  /** Older, closed and backed up: safe to remove locally. */
  remove: RetentionItem[];
  /** Older, but not removable (not backed up yet, or still open). */
  blocked: RetentionItem[];
}

function item(logsDir: string, info: SessionInfo, reason: string): RetentionItem {
  const files = sessionLogFiles(logsDir, info.session);
  const present = [files.plain, files.compressed, files.meta].filter((file) => existsSync(file));
  return {
    session: info.session,
    files: present,
    bytes: present.reduce((sum, file) => sum + statSync(file).size, 0),
    reason,
  };
}

/**
 * Plans retention: keep the local logs of the newest `keepSessions` sessions; of the older
 * ones, remove only those that are closed and marked as backed up or archived
 * (`<session>.backup.json`) by a backup that holds the closed log (not an earlier, open state of
 * it). Open sessions are never removed.
 *
 * @example
 * const plan = await planRetention('.claude/logs', 2);
 * plan.remove.map((r) => r.session);
 */
export async function planRetention(logsDir: string, keepSessions: number): Promise<RetentionPlan> {
  const sessions = (await listSessions(logsDir)).reverse(); // newest first
  const plan: RetentionPlan = { keepSessions, kept: [], remove: [], blocked: [] };
  sessions.forEach((info, index) => {
    if (index < keepSessions) plan.kept.push(item(logsDir, info, `among the newest ${keepSessions}`));
    else if (info.status !== 'closed')
      plan.blocked.push(item(logsDir, info, `still ${info.status}: close it first`));
    else if (!info.backedUp) plan.blocked.push(item(logsDir, info, 'not backed up or archived yet'));
    else if (!covered(logsDir, info.session))
      plan.blocked.push(item(logsDir, info, 'changed since its backup: back it up again'));
    else plan.remove.push(item(logsDir, info, 'backed up, older than the newest sessions'));
  });
  return plan;
}

/** Whether the session's backup marker covers its closed log (not an older, still-open state of it). */
function covered(logsDir: string, session: string): boolean {
  const files = sessionLogFiles(logsDir, session);
  return markerCoversLog(readBackupMarker(files), readSessionMeta(files));
}

/** Removes what `plan.remove` lists; returns what was removed. */
export function applyRetention(plan: RetentionPlan): { removed: string[]; freedBytes: number } {
  let freedBytes = 0;
  const removed: string[] = [];
  for (const entry of plan.remove) {
    for (const file of entry.files) rmSync(file, { force: true });
    freedBytes += entry.bytes;
    removed.push(entry.session);
  }
  return { removed, freedBytes };
}
