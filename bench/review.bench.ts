/**
 * Insights: recall and precision of recurring errors and anomalies on planted histories over
 * several seeds, and the time of `reviewPhase` on a SQLite store with 200 sessions of 5,000 events
 * (1M events; the log is written and ingested first, untimed): cold (every log read) and warm
 * (the digest cache filled, as the pipeline keeps it after ingest), with how the warm time splits.
 */
import { join } from 'node:path';
import {
  type AnalyticsStore,
  type AnySatEvent,
  collectHistory,
  detectAnomalies,
  digestSession,
  findRecurringErrors,
  type NewEvent,
  readSessionDigests,
  refreshDigestCache,
  reviewPhase,
  type SessionDigest,
} from '@sat/core';
import { anomalyQuality, plantedHistory, recurringQuality } from '@sat/core/fixtures';
import { openSqliteStore } from '@sat/store-sqlite';
import { formatNumber, heading, makeTempDir, note, removeTempDir, report, writeHistory } from './lib.ts';

const SEEDS = [1, 2, 3, 4, 5, 6];
const SESSIONS = 200;
const EVENTS_PER_SESSION = 5_000;

function asLogged(events: Iterable<NewEvent>): AnySatEvent[] {
  let seq = 0;
  return [...events].map(
    (e) =>
      ({
        ...e,
        id: `${e.session}-${++seq}`,
        seq,
        agent: e.agent ?? 'main',
        v: 1,
        ts: String(e.ts),
      }) as AnySatEvent,
  );
}

async function quality(): Promise<void> {
  heading(`quality on planted histories: ${SEEDS.length} seeds x 40 sessions of ~400 events`);
  const totals = { recurringRecall: 0, notPlanted: 0, anomalyRecall: 0, falsePositiveRate: 0 };
  for (const seed of SEEDS) {
    const history = plantedHistory({ seed });
    const digests: SessionDigest[] = [];
    for (const { session } of history.sessions) {
      const digest = await digestSession(asLogged(history.events(session)));
      if (digest) digests.push(digest);
    }
    const errors = recurringQuality(history.truth, findRecurringErrors(digests).recurring);
    const metrics = await collectHistory(digests);
    const anomalies = anomalyQuality(history.truth, metrics, detectAnomalies(metrics).anomalies);
    note(
      `seed ${seed}: errors recall ${errors.recall.toFixed(3)}, not planted ${errors.notPlanted.toFixed(3)}; anomalies recall ${anomalies.recall.toFixed(3)}, false-positive rate ${anomalies.falsePositiveRate.toFixed(4)} (${anomalies.falsePositives.length})`,
    );
    totals.recurringRecall += errors.recall / SEEDS.length;
    totals.notPlanted += errors.notPlanted / SEEDS.length;
    totals.anomalyRecall += anomalies.recall / SEEDS.length;
    totals.falsePositiveRate += anomalies.falsePositiveRate / SEEDS.length;
  }
  report('recurring errors: recall (mean)', totals.recurringRecall, 'ratio', { op: '>=', value: 0.9 });
  report('recurring errors: reported not planted (mean)', totals.notPlanted, 'ratio', {
    op: '<=',
    value: 0.05,
  });
  report('anomalies: recall (mean)', totals.anomalyRecall, 'ratio', { op: '>=', value: 0.9 });
  report('anomalies: false-positive rate (mean)', totals.falsePositiveRate, 'ratio', {
    op: '<=',
    value: 0.05,
  });
}

const SCOPE = { phase: 'phase-2' } as const;

/** The store's queries of a review: the four of the scope and the four of the previous phase. */
async function storeQueries(store: AnalyticsStore): Promise<void> {
  for (const phase of ['phase-2', 'phase-1'])
    await Promise.all([
      store.agentPerformance({ phase, days: 'all' }),
      store.toolEffectiveness({ phase, days: 'all' }),
      store.errorPatterns({ phase, days: 'all' }),
      store.costAnalysis({ phase, days: 'all' }),
    ]);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

async function timeReviews(store: AnalyticsStore, logsDir: string, cacheDir: string): Promise<void> {
  const cold = await timed(() => reviewPhase(store, SCOPE, { logsDir }));
  const review = cold.value;
  note(
    `phase-2: ${review.done.sessions} sessions, ${review.errors.recurring.length} recurring errors, ${review.anomalies.length} anomalies, ${review.recommendations.length} recommendations, ${review.cost.bySession.length} sessions priced`,
  );
  report('reviewPhase cold (no digest cache: every log read)', cold.ms, 'ms');
  const refresh = await timed(() => refreshDigestCache(logsDir, cacheDir));
  note(
    `digest cache filled in ${(refresh.ms / 1e3).toFixed(1)} s (${refresh.value.refreshed} sessions; done by the pipeline after ingest, not timed)`,
  );
  const warm = await timed(() => reviewPhase(store, SCOPE, { logsDir, cacheDir }));
  report('reviewPhase warm (digest cache filled, as after ingest)', warm.ms, 'ms', { op: '<=', value: 5000 });
  const digests = await timed(() => readSessionDigests(logsDir, { cacheDir }));
  const queries = await timed(() => storeQueries(store));
  const given = await timed(() => reviewPhase(store, SCOPE, { digests: digests.value }));
  note(
    `warm split: digests from the cache ${digests.ms.toFixed(0)} ms, store queries (scope and previous) ${queries.ms.toFixed(0)} ms, the rest (analysis) ${Math.max(0, given.ms - queries.ms).toFixed(0)} ms`,
  );
}

async function scale(): Promise<void> {
  const root = makeTempDir('sat-bench-review-');
  try {
    const logsDir = join(root, 'logs');
    const history = plantedHistory({ seed: 1, sessions: SESSIONS, eventsPerSession: EVENTS_PER_SESSION });
    const started = performance.now();
    const events = await writeHistory(logsDir, history);
    heading(`reviewPhase: ${SESSIONS} sessions, ${formatNumber(events)} events in the local SQLite store`);
    if (events < 900_000)
      note(`smaller than 1M events (SAT_BENCH_REVIEW_EVENTS=${EVENTS_PER_SESSION} per session)`);
    note(`log written in ${((performance.now() - started) / 1e3).toFixed(1)} s (not timed)`);
    const store = await openSqliteStore({ file: join(root, 'sat.db'), logsDir });
    try {
      const ingest = performance.now();
      await store.ingestLog();
      note(`ingested in ${((performance.now() - ingest) / 1e3).toFixed(1)} s (not timed)`);
      await timeReviews(store, logsDir, join(root, 'analytics', 'digests'));
    } finally {
      await store.close();
    }
  } finally {
    removeTempDir(root);
  }
}

await quality();
await scale();
