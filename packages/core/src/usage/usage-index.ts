import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isObject } from '../guards.js';
import { LogMemo } from '../log/log-memo.js';
import { loadMemoEntries, saveMemoEntries } from '../log/saved-log-memo.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import { type SessionUsage, sessionUsage } from './session-usage.js';

/** Version of the index file's format; another version is ignored (and rewritten). */
export const USAGE_INDEX_VERSION = 2;

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
    const header = { version: USAGE_INDEX_VERSION, key: this.pricesKey };
    const entries = this.file
      ? loadMemoEntries(this.file, header, (value): value is SessionUsage => isObject(value))
      : [];
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
    const warning = saveMemoEntries(
      this.file,
      { version: USAGE_INDEX_VERSION, key: this.pricesKey },
      this.memo.snapshot(),
    );
    if (warning !== undefined) return { saved: false, warning };
    this.changed = false;
    return { saved: true };
  }
}
