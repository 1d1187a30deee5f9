/**
 * How waits between attempts grow: `baseMs * 2^attempt`, at most `maxMs`, then jittered so that
 * many clients that failed together do not all come back at the same moment.
 */
export interface BackoffPolicy {
  /** The wait before the first retry (attempt 0), before jitter, in ms. */
  baseMs: number;
  /** Longest wait, in ms; also caps a server's `Retry-After`. Default: no cap. */
  maxMs?: number;
  /**
   * `full` (default): a random wait in `[0, d]`; `equal`: in `[d/2, d]` (never near zero, for
   * waits whose deadline is persisted or a loop that must not spin); `none`: exactly `d`.
   */
  jitter?: 'full' | 'equal' | 'none';
  /** Random number in [0, 1) (injectable for tests). Default `Math.random`. */
  random?: () => number;
}

/**
 * The wait before retry number `attempt + 1` (`attempt` counts from 0), in ms: exponential,
 * capped and jittered as `policy` says, and at least `retryAfterMs` (a server's `Retry-After`,
 * which the caller extracts; capped at `maxMs` too). Pure but for `policy.random`, so a queue can
 * persist "next attempt at" times with it.
 *
 * @example
 * delayFor(3, { baseMs: 100, maxMs: 1_000 }); // a random wait in [0, 800]
 * delayFor(0, { baseMs: 100, maxMs: 1_000, jitter: 'none' }, 5_000); // 1_000
 */
export function delayFor(attempt: number, policy: BackoffPolicy, retryAfterMs?: number): number {
  const cap = policy.maxMs ?? Number.POSITIVE_INFINITY;
  const ceiling = Math.min(cap, policy.baseMs * 2 ** Math.max(0, attempt));
  const random = policy.random ?? Math.random;
  const jitter = policy.jitter ?? 'full';
  const jittered = Math.round(
    jitter === 'none'
      ? ceiling
      : jitter === 'equal'
        ? ceiling / 2 + (random() * ceiling) / 2
        : random() * ceiling,
  );
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(cap, retryAfterMs));
}

/**
 * Waits `ms` without blocking the event loop; rejects with `signal.reason` when `signal` aborts.
 *
 * @example
 * await sleep(250, controller.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits `ms`, blocking this thread (for synchronous callers such as a lock taken in a hook).
 *
 * @example
 * sleepSync(5);
 */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** When {@link poll} and {@link pollSync} give up, besides the backoff policy. */
export interface AttemptLimits extends BackoffPolicy {
  /** Most calls of the probe, the first included. Default: no limit (then give a deadline). */
  maxAttempts?: number;
  /** Stop once this much time has passed since the first call, in ms; the last wait is shortened to end there. */
  deadlineMs?: number;
  /** The clock (injectable for tests). Default `Date.now`. */
  now?: () => number;
}

/** Options of {@link poll}. */
export interface PollOptions extends AttemptLimits {
  /** Stops the waiting: the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Waits between two calls (injectable for tests). Default {@link sleep}. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options of {@link pollSync}. */
export interface PollSyncOptions extends AttemptLimits {
  /** Waits between two calls, blocking (injectable for tests). Default {@link sleepSync}. */
  sleep?: (ms: number) => void;
}

/** The wait before the next call, or undefined when the attempts or the time are used up. */
function nextWait(attempt: number, options: AttemptLimits, started: number): number | undefined {
  if (options.maxAttempts !== undefined && attempt + 1 >= options.maxAttempts) return undefined;
  const wait = delayFor(attempt, options);
  if (options.deadlineMs === undefined) return wait;
  const left = started + options.deadlineMs - (options.now ?? Date.now)();
  return left <= 0 ? undefined : Math.min(wait, left);
}

/**
 * Calls `probe(attempt)` until it returns something other than `undefined`, waiting between two
 * calls as the backoff policy says; returns `undefined` once `maxAttempts` calls or `deadlineMs`
 * are used up (the caller raises its own error, or falls back). Errors thrown by `probe` are not
 * retried: decide inside it.
 *
 * @example
 * const file = await poll(async () => (await exists(path)) ? path : undefined, { baseMs: 100, maxMs: 2_000, deadlineMs: 30_000 });
 */
export async function poll<T>(
  probe: (attempt: number) => T | undefined | Promise<T | undefined>,
  options: PollOptions,
): Promise<T | undefined> {
  const started = (options.now ?? Date.now)();
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason;
    const value = await probe(attempt);
    if (value !== undefined) return value;
    const ms = nextWait(attempt, options, started);
    if (ms === undefined) return undefined;
    await wait(ms, options.signal);
  }
}

/**
 * {@link poll} for synchronous probes, blocking this thread while it waits ({@link sleepSync}).
 *
 * @example
 * const held = pollSync(() => (lock.tryAcquire() ? true : undefined), { baseMs: 2, maxMs: 32, deadlineMs: 10_000 });
 */
export function pollSync<T>(
  probe: (attempt: number) => T | undefined,
  options: PollSyncOptions,
): T | undefined {
  const started = (options.now ?? Date.now)();
  const wait = options.sleep ?? sleepSync;
  for (let attempt = 0; ; attempt++) {
    const value = probe(attempt);
    if (value !== undefined) return value;
    const ms = nextWait(attempt, options, started);
    if (ms === undefined) return undefined;
    wait(ms);
  }
}
