import { describe, expect, it } from 'vitest';
import { delayFor, poll, pollSync, sleep } from '../src/retry.js';

describe('delayFor', () => {
  const top = () => 1;
  it('grows exponentially from baseMs up to maxMs', () => {
    const policy = { baseMs: 100, maxMs: 1_000, random: top };
    expect([0, 1, 2, 3, 4, 40].map((n) => delayFor(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('full jitter spreads over [0, d], equal jitter over [d/2, d], none is exact', () => {
    expect(delayFor(2, { baseMs: 100, random: () => 0 })).toBe(0);
    expect(delayFor(2, { baseMs: 100, random: () => 0.25 })).toBe(100);
    expect(delayFor(2, { baseMs: 100, jitter: 'equal', random: () => 0 })).toBe(200);
    expect(delayFor(2, { baseMs: 100, jitter: 'equal', random: top })).toBe(400);
    expect(delayFor(2, { baseMs: 100, jitter: 'none', random: () => 0 })).toBe(400);
    const samples = Array.from({ length: 50 }, () => delayFor(3, { baseMs: 100, jitter: 'equal' }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...samples)).toBeLessThanOrEqual(800);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });

  it('waits at least a Retry-After, itself capped at maxMs', () => {
    const policy = { baseMs: 100, maxMs: 1_000, random: top };
    expect(delayFor(0, policy, 500)).toBe(500);
    expect(delayFor(0, policy, 60_000)).toBe(1_000);
    expect(delayFor(3, policy, 10)).toBe(800);
  });
});

/** A clock that advances only when the poller sleeps. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    sleepSync: (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe('poll', () => {
  it('calls the probe until it answers, waiting as the policy says', async () => {
    const time = fakeTime();
    const seen: number[] = [];
    const value = await poll(
      (attempt) => {
        seen.push(attempt);
        return attempt === 3 ? 'done' : undefined;
      },
      {
        baseMs: 10,
        jitter: 'none',
        ...time,
      },
    );
    expect(value).toBe('done');
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(time.waits).toEqual([10, 20, 40]);
  });

  it('gives up after maxAttempts calls', async () => {
    const time = fakeTime();
    let calls = 0;
    const value = await poll(() => void calls++, { baseMs: 150, jitter: 'none', maxAttempts: 3, ...time });
    expect(value).toBeUndefined();
    expect(calls).toBe(3);
    expect(time.waits).toEqual([150, 300]);
  });

  it('gives up at the deadline, shortening the last wait to end there', async () => {
    const time = fakeTime();
    const value = await poll(() => undefined, { baseMs: 10, jitter: 'none', deadlineMs: 50, ...time });
    expect(value).toBeUndefined();
    expect(time.waits).toEqual([10, 20, 20]);
    expect(time.now()).toBe(50);
  });

  it('a deadline of 0 means one call and no wait', async () => {
    const time = fakeTime();
    let calls = 0;
    expect(await poll(() => void calls++, { baseMs: 10, deadlineMs: 0, ...time })).toBeUndefined();
    expect(calls).toBe(1);
    expect(time.waits).toEqual([]);
  });

  it('stops with the abort reason when the signal aborts, even mid-wait', async () => {
    const controller = new AbortController();
    const waiting = poll(() => undefined, { baseMs: 60_000, jitter: 'none', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(waiting).rejects.toThrow('stop');
    const aborted = AbortSignal.abort(new Error('already'));
    let calls = 0;
    await expect(poll(() => void calls++, { baseMs: 1, signal: aborted })).rejects.toThrow('already');
    expect(calls).toBe(0);
  });

  it('lets an error of the probe through at once', async () => {
    let calls = 0;
    const failing = poll(
      () => {
        calls++;
        throw new Error('permanent');
      },
      { baseMs: 1, maxAttempts: 5 },
    );
    await expect(failing).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });
});

describe('pollSync', () => {
  it('polls synchronously, with the same limits', () => {
    const time = fakeTime();
    const seen: number[] = [];
    const value = pollSync(
      (attempt) => {
        seen.push(attempt);
        return attempt === 2 ? 42 : undefined;
      },
      {
        baseMs: 2,
        jitter: 'none',
        now: time.now,
        sleep: time.sleepSync,
      },
    );
    expect(value).toBe(42);
    expect(time.waits).toEqual([2, 4]);
    const started = Date.now();
    expect(pollSync(() => undefined, { baseMs: 2, maxMs: 8, deadlineMs: 30 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('sleep', () => {
  it('waits, and rejects with the reason when aborted', async () => {
    const started = Date.now();
    await sleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    await expect(sleep(10, AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
  });
});
