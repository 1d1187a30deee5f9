import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnySatEvent } from '../events/envelope.js';
import { eventContent } from './event-content.js';

/** One line of a conflicts file: a foreign version of an event id the log holds otherwise. */
export interface ConflictRecord {
  id: string;
  session: string;
  /** The bundle that brought it. */
  bundle: string;
  user: string;
  machine: string;
  detectedAt: string;
  /** The foreign event, as the bundle holds it. */
  event: AnySatEvent;
}

/** `<logs>/conflicts/<session>.jsonl`: where the foreign versions of conflicting events are kept. */
export function conflictsFile(logsDir: string, session: string): string {
  return join(logsDir, 'conflicts', `${session}.jsonl`);
}

function keptVersions(file: string): Set<string> {
  const kept = new Set<string>();
  if (!existsSync(file)) return kept;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      kept.add(eventContent((JSON.parse(line) as ConflictRecord).event));
    } catch {
      // A torn or damaged line holds no version to compare with.
    }
  }
  return kept;
}

/**
 * Appends the foreign versions not kept yet to the session's conflicts file (folder 0700, file
 * 0600); a version already there is not written again. Returns the file and how many were added.
 *
 * @example
 * keepConflicts(config.paths.logs, 'b1f2', records);
 */
export function keepConflicts(
  logsDir: string,
  session: string,
  records: readonly ConflictRecord[],
): { file: string; added: number } {
  const file = conflictsFile(logsDir, session);
  if (records.length === 0) return { file, added: 0 };
  const kept = keptVersions(file);
  const lines: string[] = [];
  for (const record of records) {
    const content = eventContent(record.event);
    if (kept.has(content)) continue;
    kept.add(content);
    lines.push(`${JSON.stringify(record)}\n`);
  }
  if (lines.length === 0) return { file, added: 0 };
  mkdirSync(join(logsDir, 'conflicts'), { recursive: true, mode: 0o700 });
  appendFileSync(file, lines.join(''), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, added: lines.length };
}
