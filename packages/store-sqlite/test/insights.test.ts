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

  it('keeps the --json contract scripts rely on: errors.recurring, anomalies and recommendations', async () => {
    const result = await review({ phase: 'phase-3' });
    const types = (o: object) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));
    expect(result.errors.recurring.length).toBeGreaterThan(0);
    for (const row of result.errors.recurring) {
      expect(types(row)).toMatchObject({
        fingerprint: 'string',
        errorType: 'string',
        example: 'string',
        sessions: 'array',
        occurrences: 'number',
      });
      for (const session of row.sessions) expect(result.sessions).toContain(session);
    }
    expect(result.anomalies.length).toBeGreaterThan(0);
    for (const anomaly of result.anomalies) {
      expect(typeof (anomaly.session ?? anomaly.day)).toBe('string');
      expect(types(anomaly)).toMatchObject({ metric: 'string', value: 'number', baseline: 'object' });
      expect(typeof anomaly.baseline.median).toBe('number');
    }
    for (const r of result.recommendations)
      expect(types(r)).toMatchObject({ text: 'string', evidence: 'object' });
  });

  it('prices per session, per task, the cache and a cheaper model with the store usage model', async () => {
    const result = await review({ phase: 'phase-3' });
    const inPhase = history.sessions.filter((s) => s.phase === 'phase-3').map((s) => s.session);
    expect(result.sessions).toEqual(inPhase);
    const { cost } = result;
    expect(cost.bySession.map((s) => s.session)).toEqual(inPhase);
    const sum = cost.bySession.reduce((total, s) => total + s.costUsd, 0);
    expect(sum).toBeCloseTo(cost.pricedCost, 6);
    expect(cost.bySession.reduce((total, s) => total + s.tokens, 0)).toBe(cost.tokens.total);
    expect(result.series.bySession.map((s) => s.costUsd)).toEqual(cost.bySession.map((s) => s.costUsd));
    expect(result.series.byDay.reduce((t, d) => t + d.tokens, 0)).toBe(cost.tokens.total);
    expect(result.series.byDay.reduce((t, d) => t + d.errors, 0)).toBe(result.errors.totals.errors);
    expect(cost.byTask.length).toBeGreaterThan(0);
    expect(cost.byTask[0]).toMatchObject({
      task: expect.stringMatching(/ src\//),
      agent: expect.any(String),
    });
    expect(cost.cache.writeTokens).toBe(cost.tokens.cacheCreation);
    expect(cost.cache.readTokens).toBe(cost.tokens.cacheRead);
    expect(cost.cache.writeShare + cost.cache.readShare).toBeLessThan(1);
    expect(cost.cache.readShare).toBeGreaterThan(0);
    const opus = cost.cheaperModel.find((r) => r.agent === 'code-reviewer')!;
    expect(opus).toMatchObject({ model: 'claude-opus-4-6', alternative: 'claude-haiku-4-5' });
    expect(opus.savingUsd).toBeCloseTo(opus.costUsd - opus.alternativeCostUsd, 9);
    expect(opus.alternativeCostUsd).toBeLessThan(opus.costUsd);
    expect(cost.cheaperModel.some((r) => r.agent === 'explorer')).toBe(false);
  });

  it('says what was done, who was slowest, and compares the new headline figures', async () => {
    const result = await review({ phase: 'phase-3' });
    const { done } = result;
    expect(done.activeMs).toBeGreaterThan(0);
    expect(done.activeMs).toBeLessThanOrEqual(done.durationMs);
    expect(done.firstAt! < done.lastAt!).toBe(true);
    expect(done.tasksCompleted).toBe(done.tasks.todos + done.tasks.subAgentRuns);
    expect(done.tasks.subAgentRuns).toBe(
      result.agents.filter((a) => a.agent !== 'main').reduce((t, a) => t + a.successes, 0),
    );
    expect(done.topFiles.length).toBeGreaterThan(0);
    expect(done.topFiles.length).toBeLessThanOrEqual(10);
    expect(done.topFiles[0]!.changes).toBeGreaterThanOrEqual(done.topFiles.at(-1)!.changes);
    expect(result.slowestTools[0]).toMatchObject({ tool: 'Bash' });
    for (const t of result.slowestTools) expect(t.p95Ms).toBeGreaterThanOrEqual(t.p50Ms!);
    expect(result.slowestAgents.length).toBeGreaterThan(0);
    for (const a of result.slowestAgents) expect(a.runs).toBeGreaterThanOrEqual(3);
    for (const name of [
      'activeMs',
      'tasksCompleted',
      'filesChanged',
      'cacheReadShare',
      'recurringErrors',
      'anomalies',
    ])
      expect(result.headlines[name]!.previous, name).toEqual(expect.any(Number));
    expect(result.headlines.recurringErrors!.current).toBe(result.errors.recurring.length);
    expect(result.headlines.anomalies!.current).toBe(result.anomalies.length);
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
    expect(week.cost.bySession.reduce((t, x) => t + x.costUsd, 0)).toBeCloseTo(week.cost.pricedCost, 6);
    expect(week.cost.bySession.reduce((t, x) => t + x.tokens, 0)).toBe(week.cost.tokens.total);
    await expect(reviewPhase(store, { days: 7 })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
