import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter, type PhaseReview, reviewPhase } from '@sat/core';
import { plantedHistory } from '@sat/core/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../src/index.js';

const history = plantedHistory({ seed: 11, sessions: 40, tail: { phase: 'hotfix', events: 40 } });
let logsDir: string;
let store: SqliteStore;
let dir: string;

async function review(scope: Parameters<typeof reviewPhase>[1]): Promise<PhaseReview> {
  return JSON.parse(
    JSON.stringify(await reviewPhase(store, scope, { logsDir, now: history.sessions.at(-1)!.start })),
  );
}

describe('reviewPhase on a SQLite store', () => {
  // One store for the whole file: the helpers' per-test stores would be closed after each test.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sat-insights-'));
    logsDir = join(dir, 'logs');
    const writer = new EventWriter({ logsDir });
    for (const { session } of history.sessions)
      for (const event of history.events(session)) writer.append(event);
    await writer.close();
    store = await openSqliteStore({ file: join(dir, 'sat.db'), logsDir });
    await store.ingestLog();
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reviews a phase: recurring errors, anomalies, recommendations, and the change since the previous phase', async () => {
    const result = await review({ phase: 'phase-3' });
    const inPhase = history.sessions.filter((s) => s.phase === 'phase-3').map((s) => s.session);
    expect(result.scope).toBe('phase phase-3');
    expect(result.previous).toBe('phase phase-2');
    expect(result.done.sessions).toBe(inPhase.length);
    expect(result.headlines.toolCalls!.current).toBe(result.done.toolCalls);
    expect(result.headlines.sessions).toMatchObject({
      current: 10,
      previous: 10,
      change: 0,
      direction: 'same',
    });
    expect(result.headlines.costUsd!.previous).toBeGreaterThan(0);
    for (const row of result.errors.recurring) {
      expect(row).toMatchObject({
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        errorType: expect.any(String),
        example: expect.any(String),
      });
      expect(row.sessions.every((s) => inPhase.includes(s))).toBe(true);
      expect(row.occurrences).toBeGreaterThanOrEqual(row.sessions.length);
    }
    expect(result.errors.recurring.length).toBeGreaterThan(0);
    const planted = history.truth.anomalies.filter((a) => inPhase.includes(a.session));
    expect(planted.length).toBeGreaterThan(0);
    for (const { session } of planted) expect(result.anomalies.map((a) => a.session)).toContain(session);
    for (const anomaly of result.anomalies) {
      expect(anomaly.value).toEqual(expect.any(Number));
      expect(anomaly.baseline.n).toBeGreaterThanOrEqual(8);
    }
    expect(result.recommendations.length).toBeGreaterThanOrEqual(3);
    for (const r of result.recommendations) expect(Object.keys(r.evidence).length).toBeGreaterThan(0);
  });

  it('recommends nothing for a phase too small to support it, and reviews one session against the one before', async () => {
    const tiny = await review({ phase: 'hotfix' });
    expect(tiny.done.sessions).toBe(1);
    expect(tiny.recommendations).toEqual([]);
    expect(tiny.errors.recurring).toEqual([]);
    const [before, last] = history.sessions.slice(-3, -1);
    const one = await review({ session: last!.session });
    expect(one).toMatchObject({ scope: `session ${last!.session}`, previous: `session ${before!.session}` });
    expect(one.headlines.events!.current).toBeGreaterThan(100);
  });

  it('reviews the last N days against the N days before', async () => {
    const week = await review({ days: 7 });
    expect(week.previous).toBe('the 7 days before');
    expect(week.done.sessions).toBeGreaterThan(10);
    expect(week.headlines.sessions!.previous).toBeGreaterThan(10);
    await expect(reviewPhase(store, { days: 7 })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
