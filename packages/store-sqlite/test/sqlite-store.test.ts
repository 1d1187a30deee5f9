import { join } from 'node:path';
import { closeSessionLog } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { answers, NOW, open, sessionEvents, tempDir, writeLog } from './helpers.js';

function paths() {
  const dir = tempDir();
  return { dir, logsDir: join(dir, 'logs'), file: join(dir, 'sat.db') };
}

describe('ingestLog', () => {
  it('reads only what is new: each session from its checkpoint on', async () => {
    const { logsDir, file } = paths();
    await writeLog(logsDir, sessionEvents('a', 300, 5, 1));
    await writeLog(logsDir, sessionEvents('b', 200, 4, 2));
    const store = await open({ file, logsDir, batchSize: 64 });
    expect(await store.ingestLog()).toEqual({
      applied: 500,
      duplicates: 0,
      sessions: 2,
      unchanged: 0,
      issues: 0,
    });
    const more = sessionEvents('a', 80, 1, 3).filter((e) => e.type !== 'session_start');
    await writeLog(logsDir, more);
    // Had it re-read session a from the start, 300 duplicates would show.
    expect(await store.ingestLog()).toEqual({
      applied: more.length,
      duplicates: 0,
      sessions: 1,
      unchanged: 1,
      issues: 0,
    });
    expect(await store.ingestLog()).toEqual({
      applied: 0,
      duplicates: 0,
      sessions: 0,
      unchanged: 2,
      issues: 0,
    });
    expect((await store.sessionSummary({ now: NOW, session: 'a' }))?.events).toBe(300 + more.length);
  });

  it('ingests closed (compressed) session logs', async () => {
    const { logsDir, file } = paths();
    await writeLog(logsDir, sessionEvents('closed', 150, 3));
    await closeSessionLog(logsDir, 'closed');
    const store = await open({ file, logsDir });
    expect((await store.ingestLog()).applied).toBe(150);
    expect(await store.sessionSummary({ now: NOW })).toMatchObject({
      session: 'closed',
      status: 'ended',
      events: 150,
    });
  });

  it('re-ingesting changes nothing', async () => {
    const { logsDir, file } = paths();
    const events = [
      ...(await writeLog(logsDir, sessionEvents('a', 400, 6, 1))),
      ...(await writeLog(logsDir, sessionEvents('b', 300, 2, 2))),
    ];
    const store = await open({ file, logsDir });
    await store.ingestLog();
    const before = await answers(store, ['a', 'b']);
    const status = await store.status();
    expect(await store.apply(events)).toEqual({ applied: 0, duplicates: 700, sessions: 0 });
    expect((await store.ingestLog()).applied).toBe(0);
    expect(await answers(store, ['a', 'b'])).toBe(before);
    expect(await store.status()).toEqual(status);
  });
});

describe('rebuild', () => {
  it('equals incremental ingestion, whatever the batches, and is done from the log', async () => {
    const { logsDir, file, dir } = paths();
    const incremental = await open({ file, logsDir, batchSize: 37 });
    // The log grows between ingests; one session is closed (compressed) along the way.
    await writeLog(logsDir, sessionEvents('a', 250, 9, 1));
    await incremental.ingestLog();
    await writeLog(logsDir, sessionEvents('b', 250, 5, 2));
    await closeSessionLog(logsDir, 'a');
    await incremental.ingestLog();
    await writeLog(logsDir, sessionEvents('b', 120, 4, 3).slice(1));
    await writeLog(logsDir, sessionEvents('c', 300, 1, 4));
    await incremental.ingestLog();
    const expected = await answers(incremental, ['a', 'b', 'c']);

    const fresh = await open({ file: join(dir, 'other.db'), logsDir });
    const result = await fresh.rebuild();
    expect(result).toMatchObject({ events: 250 + 250 + 119 + 300, sessions: 3 });
    expect(await answers(fresh, ['a', 'b', 'c'])).toBe(expected);

    await incremental.rebuild();
    expect(await answers(incremental, ['a', 'b', 'c'])).toBe(expected);
    expect((await incremental.status()).lastRebuild).toMatchObject({ reason: 'requested' });
  });

  it('drops what is not in the log', async () => {
    const { logsDir, file } = paths();
    const store = await open({ file, logsDir });
    await store.apply([
      {
        id: 'x',
        session: 'ghost',
        seq: 1,
        ts: '2026-02-27T10:00:00.000Z',
        type: 'tool_usage',
        agent: 'main',
        v: 1,
        data: { tool: 'Read', success: true },
      },
    ]);
    expect((await store.toolEffectiveness({ now: NOW })).tools).toHaveLength(1);
    await store.rebuild();
    expect((await store.toolEffectiveness({ now: NOW })).tools).toEqual([]);
    expect(await store.sessionSummary({ now: NOW })).toBeNull();
  });

  it('a raised projection version rebuilds that projection when the store opens', async () => {
    const { logsDir, file } = paths();
    await writeLog(logsDir, sessionEvents('a', 300, 3, 1));
    let store = await open({ file, logsDir });
    await store.ingestLog();
    const expected = await answers(store, ['a']);
    await store.close();

    store = await open({ file, logsDir, projectionVersions: { errors: 4, api_usage: 5 } });
    const status = await store.status();
    expect(status.projections).toMatchObject({ errors: 4, api_usage: 5, tool_uses: 2 });
    expect(status.lastRebuild).toMatchObject({
      projections: ['errors', 'api_usage'],
      reason: 'projection version changed: errors v3 -> v4, api_usage v3 -> v5',
    });
    // Same log, same answers; the checkpoints are kept (nothing to ingest).
    expect(await answers(store, ['a'])).toBe(expected);
    expect((await store.ingestLog()).applied).toBe(0);
    await store.close();

    // Going back to the released versions rebuilds them again.
    store = await open({ file, logsDir });
    expect((await store.status()).lastRebuild?.projections).toEqual(['errors', 'api_usage']);
    expect(await answers(store, ['a'])).toBe(expected);
  });
});

describe('the store', () => {
  it('declares its capabilities', async () => {
    const { logsDir, file } = paths();
    const store = await open({ file, logsDir });
    expect(store.name).toBe('sqlite');
    expect(store.capabilities).toMatchObject({
      ingestLog: true,
      status: true,
      persistent: true,
      multiProcess: true,
      atomicRebuild: true,
    });
  });

  it('computes cost at query time from the price table given, never stored', async () => {
    const { logsDir, file } = paths();
    await writeLog(logsDir, sessionEvents('a', 300, 2, 1));
    const store = await open({ file, logsDir });
    await store.ingestLog();
    const base = await store.costAnalysis({ now: NOW });
    expect(base.cost).toBeGreaterThan(0);
    const free = Object.fromEntries(
      base.byModel.map((m) => [
        m.model,
        { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
      ]),
    );
    const { withPriceOverrides } = await import('@sat/core');
    expect((await store.costAnalysis({ now: NOW, prices: withPriceOverrides(free) })).cost).toBe(0);
    expect((await store.costAnalysis({ now: NOW })).cost).toBe(base.cost);
  });
});
