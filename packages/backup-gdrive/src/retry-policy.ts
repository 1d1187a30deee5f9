import { type BackoffPolicy, delayFor, sleep } from '@sat/core';
import type { gaxios } from 'google-auth-library';
import { httpFailureOf, isTransientFailure } from './gdrive-errors.js';

type RetryConfig = gaxios.RetryConfig;

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

/** The retry policy of one target: which failures are retried and how long to wait. */
export class RetryPolicy {
  readonly retries: number;
  private readonly backoff: BackoffPolicy;
  readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RetryOptions = {}) {
    this.retries = options.retries ?? 6;
    this.backoff = {
      baseMs: options.minDelayMs ?? 500,
      maxMs: options.maxDelayMs ?? 32_000,
      jitter: 'full',
      random: options.random ?? Math.random,
    };
    this.sleep = options.sleep ?? ((ms) => sleep(ms));
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
    const retryAfter = error === undefined ? undefined : httpFailureOf(error).retryAfterSeconds;
    return delayFor(attempt, this.backoff, retryAfter === undefined ? undefined : retryAfter * 1000);
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
