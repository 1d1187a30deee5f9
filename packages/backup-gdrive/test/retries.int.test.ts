import { isRetryableStorageError, isSatError } from '@sat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget, rejection, tempDir } from './helpers.js';

let fake: FakeDriveServer;
let temp: ReturnType<typeof tempDir>;
let delays: number[];

beforeEach(async () => {
  fake = await FakeDriveServer.start();
  temp = tempDir();
  delays = [];
});
afterEach(async () => {
  await fake.close();
  temp.remove();
});

/** A target whose waits are recorded instead of slept, with no jitter (random = 0.5). */
function target(retries = 4) {
  return fakeTarget(fake, temp.dir, {
    retry: {
      retries,
      minDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
  });
}

describe('transient failures are retried with backoff', () => {
  it.each([
    ['429', { status: 429, reason: 'rateLimitExceeded' }],
    ['500', { status: 500, reason: 'backendError' }],
    ['503', { status: 503, reason: 'backendError' }],
    ['403 rateLimitExceeded', { status: 403, reason: 'rateLimitExceeded' }],
    ['403 userRateLimitExceeded', { status: 403, reason: 'userRateLimitExceeded' }],
  ])('%s on list, create and upload, then success', async (_name, fault) => {
    const t = await target();
    fake.inject({ op: 'files.list', times: 2, ...fault });
    fake.inject({ op: 'files.create', times: 1, ...fault });
    fake.inject({ op: 'upload.initiate', times: 2, ...fault });
    const put = await t.put('r/a.txt', Buffer.from('hello'));
    expect(put.size).toBe(5);
    expect((await t.stat('r/a.txt'))?.size).toBe(5);
    expect(fake.storedFiles()).toHaveLength(1);
    expect(delays.length).toBeGreaterThanOrEqual(5);
    // Exponential: the second wait of a run is twice the first (no jitter here).
    expect(delays.slice(0, 2)).toEqual([50, 100]);
  });

  it('honours Retry-After', async () => {
    const t = await target();
    fake.inject({ op: 'files.list', status: 429, retryAfterSeconds: 3 });
    expect(await t.stat('x')).toBeUndefined();
    expect(delays).toEqual([3000]);
  });

  it('retries a dropped connection (no response)', async () => {
    const t = await target();
    fake.inject({ op: 'files.list', loseResponse: true, times: 2 });
    expect(await t.stat('x')).toBeUndefined();
    expect(fake.counts['files.list']).toBe(3);
  });

  it('a persistent 503 becomes TARGET_UNAVAILABLE, retryable, after the configured tries', async () => {
    const t = await target(3);
    fake.inject({ op: 'files.list', status: 503, times: 1000 });
    const error = await rejection(t.stat('SubAgentTracking/x'));
    expect(isSatError(error, 'TARGET_UNAVAILABLE')).toBe(true);
    expect(isRetryableStorageError(error)).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      retryable: true,
      status: 503,
    });
    expect((error as Error).message).toMatch(/^\[backup-gdrive\] .*HTTP 503/);
    expect(fake.counts['files.list']).toBe(4);
  });

  it('a persistent 503 during an upload becomes TARGET_UNAVAILABLE and no file is left', async () => {
    const t = await target(2);
    fake.inject({ op: 'upload.chunk', status: 503, times: 1000 });
    fake.inject({ op: 'upload.status', status: 503, times: 1000 });
    const error = await rejection(t.put('u.bin', Buffer.alloc(1000, 1)));
    expect(isSatError(error, 'TARGET_UNAVAILABLE')).toBe(true);
    expect(fake.storedFiles()).toEqual([]);
  });

  it('403 insufficientPermissions is a TARGET_ERROR with the fix, not retried', async () => {
    const t = await target();
    fake.inject({ op: 'files.list', status: 403, reason: 'insufficientPermissions', times: 10 });
    const error = await rejection(t.stat('x'));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect(isRetryableStorageError(error)).toBe(false);
    expect((error as Error).message).toMatch(/insufficientPermissions.*sat setup gdrive/);
    expect(delays).toEqual([]);
  });
});
