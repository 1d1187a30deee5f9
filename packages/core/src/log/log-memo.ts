import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listSessionIds } from './event-reader.js';
import { PLAIN_EXT, sessionLogFiles } from './log-files.js';

/**
 * What identifies the current content of a session's log: its file (compressed or plain), size
 * and modification time. An append changes the size, closing changes the file; a closed
 * (compressed) log never changes.
 */
export interface LogIdentity {
  /** The file's name (`<session>.jsonl` or `<session>.jsonl.gz`). */
  file: string;
  size: number;
  mtimeMs: number;
}

/**
 * The {@link LogIdentity} of a session's log, or undefined when it has none (the compressed log
 * is preferred, as the readers do).
 *
 * @example
 * sessionLogIdentity('.claude/logs', id); // { file: 'id.jsonl.gz', size: 40961, mtimeMs: 1.7e12 }
 */
export function sessionLogIdentity(logsDir: string, session: string): LogIdentity | undefined {
  const files = sessionLogFiles(logsDir, session);
  for (const file of [files.compressed, files.plain]) {
    try {
      const stat = statSync(file);
      return { file: basename(file), size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {}
  }
  return undefined;
}

/**
 * One string that changes whenever any session's log of `logsDir` changes (appended, closed,
 * added, removed): the sessions' {@link LogIdentity}s, from one stat per log. What a long-lived
 * reader compares to know whether to read again.
 *
 * @example
 * if (logsFingerprint(logsDir) !== seen) await store.ingestLog();
 */
export function logsFingerprint(logsDir: string): string {
  const parts: string[] = [];
  for (const session of listSessionIds(logsDir)) {
    const identity = sessionLogIdentity(logsDir, session);
    if (identity) parts.push(`${identity.file}:${identity.size}:${identity.mtimeMs}`);
  }
  return parts.join('\n');
}

/** Whether two identities name the same content. */
export function sameLogIdentity(a: LogIdentity | undefined, b: LogIdentity | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.file === b.file && a.size === b.size && a.mtimeMs === b.mtimeMs
  );
}

/** One remembered value of a {@link LogMemo}. */
export interface LogMemoEntry<T> {
  identity: LogIdentity;
  value: T;
}

/** Options of {@link LogMemo}. */
export interface LogMemoOptions<T> {
  /** Values known already (read from a file by the caller), by session. */
  entries?: Iterable<[string, LogMemoEntry<T>]>;
  /** Most sessions kept (the least recently used are dropped). Default: no limit. */
  maxEntries?: number;
}

/**
 * Remembers one value per session computed from its log, reused while the log's
 * {@link LogIdentity} is unchanged: an appended, closed, reopened or replaced log is read again,
 * a missing one is forgotten. A computation that fails is not remembered, and concurrent asks for
 * the same session share one computation. The identity is taken before reading, so a line
 * appended during the read makes the next ask read again.
 *
 * @example
 * const usage = new LogMemo<SessionUsage>(logsDir);
 * await usage.get(session, () => sessionUsage(logsDir, session));
 */
export class LogMemo<T> {
  private readonly entries = new Map<string, LogMemoEntry<T>>();
  private readonly pending = new Map<string, { identity: LogIdentity; value: Promise<T> }>();
  private readonly maxEntries: number;
  private changes = 0;
  private readonly checked = new Map<string, string>();

  constructor(
    readonly logsDir: string,
    options: LogMemoOptions<T> = {},
  ) {
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    for (const [session, entry] of options.entries ?? []) this.entries.set(session, entry);
  }

  /** Goes up whenever an entry is computed or forgotten: equal generations mean the same values. */
  get generation(): number {
    return this.changes;
  }

  /**
   * The value for `session`'s log as it is now: remembered, or computed by `compute` (and
   * remembered). With `version` (a {@link LogsVersion} taken before this call), an entry already
   * confirmed at that same version is returned without looking at the log.
   */
  async get(session: string, compute: () => Promise<T>, version?: string): Promise<T> {
    const known = this.entries.get(session);
    if (known && version !== undefined && this.checked.get(session) === version) return known.value;
    const identity = sessionLogIdentity(this.logsDir, session);
    if (identity === undefined) {
      this.checked.delete(session);
      if (this.entries.delete(session)) this.changes++;
      return compute();
    }
    if (known && sameLogIdentity(known.identity, identity)) {
      this.entries.delete(session);
      this.entries.set(session, known);
      this.confirm(session, version);
      return known.value;
    }
    const running = this.pending.get(session);
    if (running && sameLogIdentity(running.identity, identity)) return running.value;
    const value = compute();
    this.pending.set(session, { identity, value });
    try {
      const result = await value;
      this.remember(session, { identity, value: result });
      this.confirm(session, version);
      return result;
    } finally {
      if (this.pending.get(session)?.value === value) this.pending.delete(session);
    }
  }

  private confirm(session: string, version: string | undefined): void {
    if (version === undefined) this.checked.delete(session);
    else this.checked.set(session, version);
  }

  /** Every remembered entry, by session (what a caller persists). */
  snapshot(): Array<[string, LogMemoEntry<T>]> {
    return [...this.entries];
  }

  /** Forgets the sessions not in `sessions` (deleted logs); returns how many were forgotten. */
  keepOnly(sessions: Iterable<string>): number {
    const keep = new Set(sessions);
    let dropped = 0;
    for (const session of [...this.entries.keys()])
      if (!keep.has(session)) {
        this.entries.delete(session);
        this.checked.delete(session);
        dropped++;
      }
    if (dropped > 0) this.changes++;
    return dropped;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.checked.clear();
    this.changes++;
  }

  private remember(session: string, entry: LogMemoEntry<T>): void {
    this.changes++;
    this.entries.delete(session);
    this.entries.set(session, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.checked.delete(oldest);
    }
  }
}

/** Options of {@link LogsVersion}. */
export interface LogsVersionOptions {
  /**
   * How long after the folder last changed its version is not trusted (file times are coarse:
   * a file made in the same tick as the last look would go unseen). Default 2000 ms.
   */
  settleMs?: number;
}

/**
 * A cheap version of a log folder for a long-lived reader: one stat of the folder (a session
 * created, closed, reopened, marked backed up or removed renames or adds a file in it, which
 * changes its time) plus one stat per open (plain) log (the only files that are appended to).
 * Equal versions mean no log, metadata or backup marker changed in between; `undefined` means
 * "cannot tell" (the folder changed under `settleMs` ago, or a stat failed): read again.
 *
 * @example
 * const version = new LogsVersion(logsDir);
 * const seen = version.current();
 * if (seen === undefined || seen !== last) rows = await readRows();
 */
export class LogsVersion {
  private plainLogs: string[] | undefined;
  private folderMtime = Number.NaN;
  private readonly settleMs: number;
  private turn: { value: string | undefined } | undefined;

  constructor(
    readonly logsDir: string,
    options: LogsVersionOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 2000;
  }

  /**
   * The folder's version now, or undefined when it cannot be trusted (see {@link LogsVersion}).
   * Calls in the same synchronous turn (before the next microtask) share one look at the folder.
   */
  current(now: number = Date.now()): string | undefined {
    if (this.turn) return this.turn.value;
    const value = this.look(now);
    this.turn = { value };
    queueMicrotask(() => {
      this.turn = undefined;
    });
    return value;
  }

  private look(now: number): string | undefined {
    try {
      const folder = statSync(this.logsDir).mtimeMs;
      if (!(now - folder >= this.settleMs)) {
        this.plainLogs = undefined;
        return undefined;
      }
      if (folder !== this.folderMtime || !this.plainLogs) {
        this.plainLogs = readdirSync(this.logsDir).filter((name) => name.endsWith(PLAIN_EXT));
        this.folderMtime = folder;
      }
      const parts = [String(folder)];
      for (const name of this.plainLogs) {
        const stat = statSync(join(this.logsDir, name));
        parts.push(`${name}:${stat.size}:${stat.mtimeMs}`);
      }
      return parts.join('\n');
    } catch {
      this.plainLogs = undefined;
      return undefined;
    }
  }
}
