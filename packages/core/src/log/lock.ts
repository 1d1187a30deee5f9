import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { describeSystemError, SatError } from '../errors.js';
import { type AttemptLimits, poll, pollSync } from '../retry.js';

/** The part of `node:fs` the lock uses (injectable for tests). */
export type LockFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'closeSync'
  | 'readFileSync'
  | 'unlinkSync'
  | 'mkdirSync'
  | 'statSync'
  | 'linkSync'
>;

/** Options of {@link FileLock}. */
export interface FileLockOptions {
  /** How long acquire() waits before LOCK_TIMEOUT. Default 10,000 ms. */
  timeoutMs?: number;
  /** Age after which a lock whose owner cannot be checked (other host, unreadable) is taken over. Default 30,000 ms. */
  staleMs?: number;
  fs?: LockFs;
}

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's process start time (Linux clock ticks since boot), to tell a reused pid apart. */
  start: string;
  /** When the lock was taken (ms since epoch). */
  at: number;
  /** A random token of this acquisition (absent in locks written by older versions). */
  nonce?: string;
}

const HOST = hostname();

function processStart(pid: number | 'self'): string {
  try {
    const stat = nodeFs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '-';
  } catch {
    return '-';
  }
}

const SELF: LockOwner = { pid: process.pid, host: HOST, start: processStart('self'), at: 0 };

/** True when the process that wrote `owner` is still running (same host only). */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (owner.host !== HOST) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (owner.start === '-' || SELF.start === '-') return true;
  return processStart(owner.pid) === owner.start;
}

function parseOwner(text: string): LockOwner | undefined {
  const [pid, host, start, at, nonce] = text.trim().split(' ');
  if (!pid || !host || !start || !at || !/^\d+$/.test(pid) || !/^\d+$/.test(at)) return undefined;
  return { pid: Number(pid), host, start, at: Number(at), ...(nonce ? { nonce } : {}) };
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.host === b.host && a.at === b.at && a.nonce === b.nonce;
}

/** File systems without hard links: the lock is then created empty and filled at once. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

/**
 * A cross-process lock on one file name (`O_CREAT|O_EXCL`). The owner's pid, host and process
 * start time are written into it, so a lock left by a killed process is taken over at once,
 * and a reused pid is not mistaken for the owner. Taking over is itself guarded by a second
 * exclusive file, so two waiters never both take over the same stale lock.
 *
 * Each acquisition writes a random nonce too: {@link FileLock.holds} tells whether the file is
 * still this acquisition's (it may have been deleted, or taken over, meanwhile), and
 * {@link FileLock.release} never removes a lock someone else now holds. The file appears with
 * its owner already in it (written to a private file, then hard-linked into place), so an empty
 * lock file is never a live writer's and is stale at once.
 *
 * @example
 * const lock = new FileLock('/data/logs/.locks/s1.lock');
 * await lock.acquire();
 * try { writeSomething(); } finally { lock.release(); }
 */
export class FileLock {
  readonly path: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;
  private readonly fs: LockFs;
  private held = false;
  /** The owner line this object wrote when it took the lock. */
  private token: LockOwner | undefined;

  constructor(path: string, options: FileLockOptions = {}) {
    this.path = path;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.staleMs = options.staleMs ?? 30_000;
    this.fs = options.fs ?? nodeFs;
  }

  /** Whether this object holds the lock now. */
  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if it is free (or stale); never waits. */
  tryAcquire(): boolean {
    if (this.held) throw new SatError('IO_ERROR', `[core] lock ${this.path} is already held by this writer`);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.create()) return true;
      const owner = this.readOwner();
      if (owner === null) continue; // vanished between our create and read: try again
      if (!this.isStale(owner)) return false;
      this.takeOver(owner);
    }
    return false;
  }

  private create(): boolean {
    const token: LockOwner = { ...SELF, at: Date.now(), nonce: randomBytes(6).toString('hex') };
    const line = `${token.pid} ${token.host} ${token.start} ${token.at} ${token.nonce}\n`;
    const created = this.createWith(line);
    if (created) {
      this.held = true;
      this.token = token;
    }
    return created;
  }

  /** Creates the lock file holding `line`: linked into place whole, else created and filled. */
  private createWith(line: string): boolean {
    const draft = `${this.path}.${SELF.pid}-${randomBytes(4).toString('hex')}`;
    try {
      this.writeNew(draft, line);
    } catch (error) {
      try {
        this.fs.unlinkSync(draft);
      } catch {}
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.fs.mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      return this.createWith(line);
    }
    try {
      this.fs.linkSync(draft, this.path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_LINKS.has(code)) throw this.createError(error);
      return this.createInPlace(line);
    } finally {
      try {
        this.fs.unlinkSync(draft);
      } catch {}
    }
  }

  private createInPlace(line: string): boolean {
    try {
      this.writeNew(this.path, line);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.createError(error);
    }
  }

  private writeNew(path: string, line: string): void {
    const fd = this.fs.openSync(path, 'wx', 0o600);
    try {
      this.fs.writeSync(fd, line);
    } finally {
      this.fs.closeSync(fd);
    }
  }

  private createError(error: unknown): SatError {
    return new SatError('IO_ERROR', `[core] cannot create lock ${this.path}: ${describeSystemError(error)}`, {
      cause: error,
    });
  }

  /**
   * Whether the lock file is still the one this object created: false once it was deleted or
   * taken over by another process, even though this object believed it held the lock.
   *
   * @example
   * if (!lock.holds()) throw new Error('lost the lock: do not write');
   */
  holds(): boolean {
    if (!this.held || !this.token) return false;
    const owner = this.readOwner();
    return owner !== null && owner !== undefined && sameOwner(owner, this.token);
  }

  /**
   * Forgets the lock without touching the file, when {@link holds} found it is no longer ours.
   *
   * @example
   * if (!lock.holds()) lock.forget();
   */
  forget(): void {
    this.held = false;
    this.token = undefined;
  }

  /** The current owner; `undefined` when unreadable, `null` when there is no lock file. */
  readOwner(): LockOwner | undefined | null {
    try {
      return parseOwner(this.fs.readFileSync(this.path, 'utf8') as string);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return undefined;
    }
  }

  private isStale(owner: LockOwner | undefined): boolean {
    // An empty or unreadable lock: a live writer's lock appears whole (see createWith), so its
    // writer died between creating and filling it. (Only on a file system without hard links is
    // there a window, one write long, where a live lock is empty.)
    if (!owner) return true;
    if (owner.host === HOST) return !isOwnerAlive(owner);
    return Date.now() - owner.at > this.staleMs;
  }

  private takeOver(observed: LockOwner | undefined): void {
    const guard = `${this.path}.takeover`;
    let fd: number;
    try {
      fd = this.fs.openSync(guard, 'wx', 0o600);
    } catch {
      // Someone else is taking over. A guard older than 5 s was left by a crashed taker.
      try {
        if (Date.now() - this.fs.statSync(guard).mtimeMs > 5_000) this.fs.unlinkSync(guard);
      } catch {}
      return;
    }
    try {
      this.fs.closeSync(fd);
      const now = this.readOwner();
      const same =
        now === undefined
          ? observed === undefined
          : now !== null && observed !== undefined && sameOwner(now, observed);
      if (same) {
        try {
          this.fs.unlinkSync(this.path);
        } catch {}
      }
    } finally {
      try {
        this.fs.unlinkSync(guard);
      } catch {}
    }
  }

  private timeoutError(): SatError {
    const owner = this.readOwner();
    const who = owner ? `pid ${owner.pid} on ${owner.host}` : 'another process';
    return new SatError(
      'LOCK_TIMEOUT',
      `[core] timed out after ${this.timeoutMs} ms waiting for ${this.path}, held by ${who} (retry; if no sat process is running, run 'sat doctor --fix')`,
      { details: { path: this.path, owner } },
    );
  }

  /** How a waiter spaces its tries: 1-2 ms first, doubling up to 16-32 ms, until the timeout. */
  private waitPolicy(): AttemptLimits {
    return { baseMs: 2, maxMs: 32, jitter: 'equal', deadlineMs: this.timeoutMs };
  }

  /** Waits (without blocking the event loop) until the lock is ours, or throws LOCK_TIMEOUT. */
  async acquire(): Promise<void> {
    await this.withLock(() => undefined, false);
  }

  /**
   * Waits (without blocking the event loop) for the lock, then runs `fn` synchronously the
   * moment it is taken (no tick in between) and releases it. Throws LOCK_TIMEOUT.
   */
  async withLock<T>(fn: () => T, release = true): Promise<T> {
    const taken = await poll(
      () => (this.tryAcquire() ? { value: release ? this.runAndRelease(fn) : fn() } : undefined),
      this.waitPolicy(),
    );
    if (!taken) throw this.timeoutError();
    return taken.value;
  }

  private runAndRelease<T>(fn: () => T): T {
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /** Waits, blocking this thread, until the lock is ours, or throws LOCK_TIMEOUT. */
  acquireSync(): void {
    if (!pollSync(() => this.tryAcquire() || undefined, this.waitPolicy())) throw this.timeoutError();
  }

  /** Like {@link withLock}, blocking this thread while it waits. */
  withLockSync<T>(fn: () => T): T {
    this.acquireSync();
    return this.runAndRelease(fn);
  }

  /**
   * Releases the lock: removes the lock file only while it is still this acquisition's (a lock
   * deleted and taken by another process meanwhile is left to its new owner). Safe to call when
   * not held.
   */
  release(): void {
    if (!this.held) return;
    const ours = this.holds();
    this.forget();
    if (!ours) return;
    try {
      this.fs.unlinkSync(this.path);
    } catch {}
  }
}
