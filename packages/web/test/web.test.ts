import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter, SatError } from '@sat/core';
import { describe, expect, it } from 'vitest';
import type { StreamMessage, WebApi } from '../src/index.js';
import {
  createLiveStream,
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

/** The SSE blocks of `res` until one of event `until` has come (or 5 s passed). */
async function sseUntil(res: Response, until: string): Promise<Array<Record<string, string>>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const blocks: Array<Record<string, string>> = [];
  let text = '';
  const deadline = Date.now() + 5000;
  while (!blocks.some((b) => b.event === until) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const parts = text.split('\n\n');
    text = parts.pop()!;
    for (const part of parts) {
      const block: Record<string, string> = {};
      for (const line of part.split('\n')) {
        const at = line.indexOf(':');
        if (at > 0) block[line.slice(0, at)] = line.slice(at + 1).trim();
      }
      if (block.event) blocks.push(block);
    }
  }
  await reader.cancel();
  return blocks;
}

describe('the live stream: ids across server runs', () => {
  it('numbers messages <runId>-<n>, replays within the run, resets for another run or what is no longer kept', async () => {
    const logsDir = mkdtempSync(join(tmpdir(), 'sat-web-live-'));
    const live = await createLiveStream({ logsDir, ingest: false, keep: 3, runId: 'runA', pollMs: 20 });
    try {
      const got: StreamMessage[] = [];
      live.subscribe((m) => got.push(m));
      const writer = new EventWriter({ logsDir });
      for (let i = 0; i < 3; i++)
        writer.append({ type: 'decision', session: 'web-live', data: { question: `Q${i}?`, selected: 'A' } });
      await writer.close();
      const deadline = Date.now() + 5000;
      while (got.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(got.map((m) => [m.id, m.type])).toEqual([
        ['runA-1', 'session'],
        ['runA-2', 'event'],
        ['runA-3', 'event'],
        ['runA-4', 'event'],
      ]);
      const ids = (lastId: string | undefined) => live.since(lastId).messages.map((m) => m.id);
      expect(ids(undefined)).toEqual(['runA-2', 'runA-3', 'runA-4']);
      expect(ids('runA-2')).toEqual(['runA-3', 'runA-4']);
      expect(ids('runA-1')).toEqual(['runA-2', 'runA-3', 'runA-4']);
      expect(ids('runA-4')).toEqual([]);
      expect(live.since('runA-2').reset).toBeUndefined();
      expect(live.since('runA-0')).toEqual({
        messages: [],
        reset: {
          id: 'runA-4',
          reason: expect.stringContaining('no longer kept (the oldest kept is runA-2)'),
        },
      });
      expect(live.since('runA-9').reset?.reason).toContain('ahead of');
      for (const other of ['runB-2', '3', 'garbage'])
        expect(live.since(other).reset?.reason, other).toContain('server restarted');

      const app = createWebApp({ api: {} as WebApi, live });
      const stale = await sseUntil(
        await app.request('/api/stream', { headers: { 'last-event-id': 'runZ-7' } }),
        'reset',
      );
      expect(stale.at(-1)).toMatchObject({ event: 'reset', id: 'runA-4' });
      expect(JSON.parse(stale.at(-1)!.data!).reason).toContain('runZ-7 is not of this server run (runA)');
      const resumed = await sseUntil(await app.request('/api/stream?lastEventId=runA-2'), 'event');
      expect(resumed[0]).toMatchObject({ event: 'event', id: 'runA-3' });
    } finally {
      live.close();
      rmSync(logsDir, { recursive: true, force: true });
    }
  });
});
