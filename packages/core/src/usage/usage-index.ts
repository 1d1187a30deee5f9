import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeSystemError } from '../errors.js';
import { isObject } from '../guards.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { LogMemo, type LogMemoEntry } from '../log/log-memo.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import { type SessionUsage, sessionUsage } from './session-usage.js';

/** Version of the index file's format; another version is ignored (and rewritten). */
export const USAGE_INDEX_VERSION = 1;

/**
 * Where a data root keeps its session usage index: `<paths.state>/session-usage.json`.
 *
 * @example
 * usageIndexFile(config); // '/home/me/.claude/sat/state/session-usage.json'
 */
export function usageIndexFile(config: { paths: { state: string } }): string {
  return join(config.paths.state, 'session-usage.json');
}

/** Options of {@link SessionUsageIndex}. */
export interface SessionUsageIndexOptions {
  /** The price table (`config.prices`). Default the bundled one. */
  prices?: PriceTable;
  /** A file to load the index from and {@link SessionUsageIndex.save} it to. Default: memory only. */
  file?: string;
}

/** What {@link SessionUsageIndex.save} did. */
export interface UsageIndexSaveResult {
  /** False when nothing changed since the last load or save (nothing was written). */
  saved: boolean;
  /** Why the file could not be written (the index in memory is unaffected). */
  warning?: string;
}

function pricesKey(prices: PriceTable): string {
  return createHash('sha256').update(JSON.stringify(prices)).digest('hex').slice(0, 16);
}

function isEntry(value: unknown): value is LogMemoEntry<SessionUsage> {
  if (!isObject(value) || !isObject(value.identity) || !isObject(value.value)) return false;
  const { file, size, mtimeMs } = value.identity;
  return typeof file === 'string' && typeof size === 'number' && typeof mtimeMs === 'number';
}

function loadEntries(file: string, prices: string): Array<[string, LogMemoEntry<SessionUsage>]> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(parsed) || parsed.version !== USAGE_INDEX_VERSION || parsed.prices !== prices) return [];
    if (!isObject(parsed.sessions)) return [];
    return Object.entries(parsed.sessions).filter((pair): pair is [string, LogMemoEntry<SessionUsage>] =>
      isEntry(pair[1]),
    );
  } catch {
    return [];
  }
}

/**
 * Each session's {@link SessionUsage}, read from its log once and reused while the log is
 * unchanged (see {@link LogMemo}): an appended, closed or new session is read again, the others
 * not. With `file`, the index starts from what was saved there (a missing, corrupt or other-version
 * file, or one priced with another table, is ignored) and {@link save} writes it back, so the next
 * command run reads only what changed. A log that cannot be read is never remembered.
 *
 * @example
 * const index = new SessionUsageIndex(config.paths.logs, { prices: config.prices, file: usageIndexFile(config) });
 * const usage = await index.usage(session);
 * index.save();
 */
export class SessionUsageIndex {
  private readonly memo: LogMemo<SessionUsage>;
  private readonly prices: PriceTable;
  private readonly pricesKey: string;
  private readonly file: string | undefined;
  private changed = false;

  constructor(
    readonly logsDir: string,
    options: SessionUsageIndexOptions = {},
  ) {
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.pricesKey = pricesKey(this.prices);
    this.file = options.file;
    const entries = this.file ? loadEntries(this.file, this.pricesKey) : [];
    this.memo = new LogMemo(logsDir, { entries });
  }

  /** The session's usage as its log is now (unreadable lines skipped, as {@link sessionUsage} does). */
  usage(session: string): Promise<SessionUsage> {
    return this.memo.get(session, () => {
      this.changed = true;
      return sessionUsage(this.logsDir, session, { prices: this.prices });
    });
  }

  /** Forgets the sessions not in `sessions` (their logs are gone), so the file does not grow forever. */
  keepOnly(sessions: Iterable<string>): void {
    if (this.memo.keepOnly(sessions) > 0) this.changed = true;
  }

  /** Writes the index to its file when something changed (atomically, mode 0600); never throws. */
  save(): UsageIndexSaveResult {
    if (!this.file || !this.changed) return { saved: false };
    const body = {
      version: USAGE_INDEX_VERSION,
      prices: this.pricesKey,
      sessions: Object.fromEntries(this.memo.snapshot()),
    };
    try {
      const dir = dirname(this.file);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(dir, 0o700);
      }
      writeFileAtomic(this.file, JSON.stringify(body));
      this.changed = false;
      return { saved: true };
    } catch (error) {
      return {
        saved: false,
        warning: `[core] cannot save the session usage index ${this.file}: ${describeSystemError(error)} (it is rebuilt from the logs)`,
      };
    }
  }
}
