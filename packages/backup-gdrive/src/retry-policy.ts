import type { gaxios } from 'google-auth-library';

type RetryConfig = gaxios.RetryConfig;

import { httpFailureOf, isTransientFailure } from './gdrive-errors.js';

/** How transient failures (429, 5xx, 403 rate limits, dropped connections) are retried. */
export interface RetryOptions {
  /** Tries after the first one. Default 6. */
  retries?: number;
  /** Base of the exponential backoff, in ms. Default 500. */
  minDelayMs?: number;
  /** Longest wait between two tries, in ms (also caps a server's `Retry-After`). Default 32,000. */
  maxDelayMs?: number;
  /** Waits `ms` milliseconds (injectable for tests). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Random number in [0, 1) for the jitter (injectable for tests). Default `Math.random`. */
  random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The retry policy of one target: which failures are retried and how long to wait. */
export class RetryPolicy {
  readonly retries: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RetryOptions = {}) {
    this.retries = options.retries ?? 6;
    this.minDelayMs = options.minDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 32_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Whether `error` after `attempt` retries already made deserves another try. */
  shouldRetry(error: unknown, attempt: number): boolean {
    return attempt < this.retries && isTransientFailure(httpFailureOf(error));
  }

  /**
   * Wait before retry number `attempt + 1`: exponential backoff with full jitter
   * (`random * min(max, min * 2^attempt)`), at least the server's `Retry-After` (capped at max).
   */
  delayMs(attempt: number, error?: unknown): number {
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** attempt);
    const jittered = Math.round(this.random() * ceiling);
    const retryAfter = error === undefined ? undefined : httpFailureOf(error).retryAfterSeconds;
    if (retryAfter === undefined) return jittered;
    return Math.max(jittered, Math.min(this.maxDelayMs, retryAfter * 1000));
  }

  /** The same policy as a gaxios `retryConfig`, for every request the googleapis client sends. */
  gaxiosConfig(): RetryConfig {
    return {
      retry: this.retries,
      noResponseRetries: this.retries,
      httpMethodsToRetry: ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'PATCH'],
      statusCodesToRetry: [
        [403, 403],
        [408, 408],
        [429, 429],
        [500, 599],
      ],
      shouldRetry: async (error) =>
        this.shouldRetry(error, error.config.retryConfig?.currentRetryAttempt ?? 0),
      // gaxios counts the retry about to happen before it asks for the wait.
      retryBackoff: (error) =>
        this.sleep(
          this.delayMs(Math.max(0, (error.config.retryConfig?.currentRetryAttempt ?? 1) - 1), error),
        ),
    };
  }
}
