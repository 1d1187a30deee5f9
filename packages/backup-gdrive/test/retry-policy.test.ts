import { describe, expect, it } from 'vitest';
import { RetryPolicy } from '../src/retry-policy.js';

const http = (status: number, reason?: string, retryAfter?: string) => ({
  response: {
    status,
    data: reason ? { error: { code: status, errors: [{ reason }] } } : {},
    headers: new Headers(retryAfter ? { 'retry-after': retryAfter } : {}),
  },
});

describe('RetryPolicy', () => {
  const policy = new RetryPolicy({ retries: 3, minDelayMs: 100, maxDelayMs: 1000, random: () => 1 });

  it('retries 429, 5xx, 403 rate limits and dropped connections, up to the limit', () => {
    for (const e of [
      http(429),
      http(500),
      http(503),
      http(403, 'rateLimitExceeded'),
      http(403, 'userRateLimitExceeded'),
      new Error('socket hang up'),
    ])
      expect(policy.shouldRetry(e, 0)).toBe(true);
    expect(policy.shouldRetry(http(503), 3)).toBe(false);
  });

  it('does not retry permanent refusals', () => {
    for (const e of [
      http(400),
      http(401),
      http(403, 'insufficientPermissions'),
      http(403, 'forbidden'),
      http(404),
      { response: { status: 400, data: { error: 'invalid_grant' } } },
    ])
      expect(policy.shouldRetry(e, 0)).toBe(false);
  });

  it('backs off exponentially, capped, with full jitter and at least Retry-After', () => {
    expect([0, 1, 2, 3, 4].map((n) => policy.delayMs(n))).toEqual([100, 200, 400, 800, 1000]);
    const jittered = new RetryPolicy({ minDelayMs: 100, random: () => 0.25 });
    expect(jittered.delayMs(2)).toBe(100);
    expect(policy.delayMs(0, http(429, undefined, '0.5'))).toBe(500);
    expect(policy.delayMs(0, http(429, undefined, '60'))).toBe(1000);
  });
});
