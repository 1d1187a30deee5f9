import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../log/atomic-file.js';

/** The file, in the state folder, where the transcript import remembers what it has read. */
export const IMPORT_STATE_FILE = 'import-state.json';

/** What the import remembers of one transcript file. */
export interface ImportedFile {
  /** Size and modification time when it was last read: the same again means unchanged. */
  size: number;
  mtimeMs: number;
  /** The session its events went to. */
  sessionId: string;
  /** For a sub-agent transcript: the sub-agent's id. */
  agentId?: string;
  kind: 'main' | 'subagent';
}

/** The import's memory: absolute transcript path to what was read. */
export interface ImportState {
  version: 1;
  files: Record<string, ImportedFile>;
}

/**
 * Path of the import state in `stateDir`.
 *
 * @example
 * importStatePath('.claude/state') // '.claude/state/import-state.json'
 */
export function importStatePath(stateDir: string): string {
  return join(stateDir, IMPORT_STATE_FILE);
}

/**
 * Reads `<stateDir>/import-state.json`. A missing or unreadable file (or one of another version)
 * gives an empty state: everything is read again, and the deterministic event ids keep the
 * re-read from adding anything twice.
 */
export function loadImportState(stateDir: string): ImportState {
  try {
    const value = JSON.parse(readFileSync(importStatePath(stateDir), 'utf8')) as Partial<ImportState>;
    if (value.version === 1 && typeof value.files === 'object' && value.files !== null)
      return { version: 1, files: value.files };
  } catch {
    // Missing or damaged: start over.
  }
  return { version: 1, files: {} };
}

/** Writes the state atomically (temporary file, fsync, rename), creating `stateDir` if needed. */
export function saveImportState(stateDir: string, state: ImportState): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(importStatePath(stateDir), `${JSON.stringify(state)}\n`);
}

/**
 * The recorded entry of `file` when its size and modification time are still those recorded (it
 * need not be opened); undefined when it is new or changed.
 *
 * @example
 * if (isUnchanged(state, { path, size, mtimeMs })) skipped++;
 */
export function isUnchanged(
  state: ImportState,
  file: { path: string; size: number; mtimeMs: number },
): ImportedFile | undefined {
  const known = Object.hasOwn(state.files, file.path) ? state.files[file.path] : undefined;
  return known && known.size === file.size && known.mtimeMs === file.mtimeMs ? known : undefined;
}
