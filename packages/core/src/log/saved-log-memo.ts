import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeSystemError } from '../errors.js';
import { isObject } from '../guards.js';
import { writeFileAtomic } from './atomic-file.js';
import type { LogMemoEntry } from './log-memo.js';

/** What a saved memo file must match to be read: its format's version and what its values depend on. */
export interface SavedMemoHeader {
  version: number;
  /** What the values were computed with (a price table's hash, ...); another key is ignored. Default ''. */
  key?: string;
}

function isEntry(value: unknown): value is LogMemoEntry<unknown> {
  if (!isObject(value) || !isObject(value.identity) || !('value' in value)) return false;
  const { file, size, mtimeMs } = value.identity;
  return typeof file === 'string' && typeof size === 'number' && typeof mtimeMs === 'number';
}

/**
 * The entries of a `LogMemo` saved by {@link saveMemoEntries}: none when the file is missing,
 * corrupt, of another version or key; entries whose value fails `isValue` are left out.
 *
 * @example
 * const memo = new LogMemo(logsDir, { entries: loadMemoEntries(file, { version: 1 }, isObject) });
 */
export function loadMemoEntries<T>(
  file: string,
  header: SavedMemoHeader,
  isValue: (value: unknown) => value is T,
): Array<[string, LogMemoEntry<T>]> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(parsed) || parsed.version !== header.version || parsed.key !== (header.key ?? ''))
      return [];
    if (!isObject(parsed.sessions)) return [];
    return Object.entries(parsed.sessions).filter(
      (pair): pair is [string, LogMemoEntry<T>] => isEntry(pair[1]) && isValue(pair[1].value),
    );
  } catch {
    return [];
  }
}

/**
 * Writes a `LogMemo`'s entries (its `snapshot()`) to `file` atomically (mode 0600, the folder
 * made 0700 when missing); returns why it could not, never throws: the file is only a cache.
 *
 * @example
 * const warning = saveMemoEntries(file, { version: 1 }, memo.snapshot());
 */
export function saveMemoEntries<T>(
  file: string,
  header: SavedMemoHeader,
  entries: Iterable<[string, LogMemoEntry<T>]>,
): string | undefined {
  const body = { version: header.version, key: header.key ?? '', sessions: Object.fromEntries(entries) };
  try {
    const dir = dirname(file);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    writeFileAtomic(file, JSON.stringify(body));
    return undefined;
  } catch (error) {
    return `[core] cannot save ${file}: ${describeSystemError(error)} (it is rebuilt from the logs)`;
  }
}
