import { SatError } from '@sat/core';
import { describe, expect, it } from 'vitest';
import type { WebApi } from '../src/index.js';
import {
  createWebApp,
  errorAnswer,
  filterSessions,
  generateToken,
  paginate,
  requestToken,
  tokenMatches,
} from '../src/index.js';

describe('@sat/web helpers', () => {
  it('tokens: generated unique, read from the header before the query, compared exactly', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
    expect(requestToken('Bearer abc', 'zzz')).toBe('abc');
    expect(requestToken(undefined, 'zzz')).toBe('zzz');
    expect(requestToken('Basic abc', undefined)).toBeUndefined();
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a, `${a}x`)).toBe(false);
    expect(tokenMatches(a, undefined)).toBe(false);
    expect(tokenMatches('abc', 'abd')).toBe(false);
  });

  it('paginate: pages by offset cursor, rejects a bad limit or cursor naming it', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    expect(paginate(items, { limit: '3' })).toEqual({ items: [0, 1, 2], total: 7, nextCursor: '3' });
    expect(paginate(items, { limit: '3', cursor: '6' })).toEqual({ items: [6], total: 7 });
    expect(paginate(items, {}).items).toHaveLength(7);
    expect(() => paginate(items, { limit: '0' })).toThrow(/'limit'/);
    expect(() => paginate(items, { cursor: '-1' })).toThrow(/'cursor'/);
  });

  it('filterSessions: activity prefix, text, days, sort with missing values last', () => {
    const now = Date.parse('2026-01-10T00:00:00Z');
    const rows = [
      { session: 'aaa', activity: 'active', start: '2026-01-09T00:00:00Z', cost: 2 },
      { session: 'bbb', activity: 'ended (imported)', start: '2025-12-01T00:00:00Z', cost: 5 },
      { session: 'ccc', activity: 'ended', cost: 1 },
    ];
    expect(filterSessions(rows, { activity: 'ended' }, now).map((r) => r.session)).toEqual(['bbb', 'ccc']);
    expect(filterSessions(rows, { text: 'BB' }, now).map((r) => r.session)).toEqual(['bbb']);
    expect(filterSessions(rows, { days: '3' }, now).map((r) => r.session)).toEqual(['aaa']);
    expect(filterSessions(rows, { sort: '-cost' }, now).map((r) => r.session)).toEqual(['bbb', 'aaa', 'ccc']);
    expect(filterSessions(rows, {}, now).map((r) => r.session)).toEqual(['aaa', 'bbb', 'ccc']);
    expect(() => filterSessions(rows, { sort: 'colour' }, now)).toThrow(/'sort'/);
  });

  it('errorAnswer: core codes to statuses, anything else a 500 IO_ERROR', () => {
    expect(errorAnswer(new SatError('SESSION_NOT_FOUND', 'gone')).status).toBe(404);
    expect(errorAnswer(new SatError('USAGE', 'bad')).body).toEqual({
      error: { code: 'USAGE', message: 'bad' },
    });
    expect(errorAnswer(new SatError('TARGET_UNAVAILABLE', 'down')).status).toBe(503);
    expect(errorAnswer(new Error('boom'))).toEqual({
      status: 500,
      body: { error: { code: 'IO_ERROR', message: '[web] boom' } },
    });
  });
});

describe('answers', () => {
  it('every request asks the api again: no answer is kept between requests', async () => {
    let calls = 0;
    const api = {
      sessions: async () => [{ session: `s${++calls}`, start: '2026-01-01T00:00:00Z' }],
    } as unknown as WebApi;
    const app = createWebApp({ api });
    const first = async () =>
      ((await (await app.request('/api/sessions')).json()) as { items: Array<{ session: string }> }).items[0]!
        .session;
    expect(await first()).toBe('s1');
    expect(await first()).toBe('s2');
  });
});
