/**
 * The SQLite analytics store: ingest of 1M realistic events from the log, the five queries on
 * them (p50 of repeated runs), a re-ingest with nothing new, a rebuild from the log, and the
 * peak memory of the process doing all that.
 *
 * The log: 400 sessions of 2,500 events (tool calls, file operations, invocations, decisions,
 * errors, validations, context snapshots, API responses of the main agent and sub-agents), one
 * starting every 3.6 hours over 60 days, in four project phases of 15 days.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventWriter } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import { DAY_MS } from '@sat/core/projections';
import type { AnalyticsReport } from './fixtures/analytics-child.ts';
import {
  formatBytes,
  formatNumber,
  heading,
  makeTempDir,
  note,
  removeTempDir,
  report,
  runFixture,
  toMiB,
  waitForQuietDisk,
} from './lib.ts';

const SESSIONS = 400;
const EVENTS_PER_SESSION = 2_500;
const TOTAL = SESSIONS * EVENTS_PER_SESSION;
const SPAN_DAYS = 60;
const PHASES = 4;
const START = Date.UTC(2026, 0, 1);
const QUERY_RUNS = 50;
const CHILD = fileURLToPath(new URL('./fixtures/analytics-child.ts', import.meta.url));
/**
 * Where the child is bundled: inside the store package, so that the native better-sqlite3 (kept
 * out of the bundle) resolves from its node_modules.
 */
const BUNDLE_DIR = fileURLToPath(
  new URL('../packages/store-sqlite/node_modules/.cache/sat-bench/', import.meta.url),
);

/**
 * Bundles the child (core, the store and kysely from their sources) into one ESM file, so that it
 * runs on plain node as the built packages would: tsx's loader alone adds ~80 MiB to a process.
 */
async function bundleChild(): Promise<string> {
  const { build } = await import('tsup');
  await build({
    entry: { 'analytics-child': CHILD },
    outDir: BUNDLE_DIR,
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    target: 'node20',
    noExternal: [/^(?!better-sqlite3$)/],
    external: ['better-sqlite3'],
    splitting: false,
    sourcemap: false,
    dts: false,
    clean: true,
    config: false,
    silent: true,
    // CommonJS dependencies bundled into ESM require node built-ins at run time.
    banner: {
      js: "import { createRequire as __satRequire } from 'node:module'; const require = __satRequire(import.meta.url);",
    },
    esbuildOptions: (options) => {
      options.conditions = ['sat-source'];
    },
  });
  return join(BUNDLE_DIR, 'analytics-child.mjs');
}

async function writeLog(logsDir: string): Promise<void> {
  const writer = new EventWriter({ logsDir, highWaterBytes: 8 * 1024 * 1024 });
  const every = (SPAN_DAYS * DAY_MS) / SESSIONS;
  const perPhase = SESSIONS / PHASES;
  for (let i = 0; i < SESSIONS; i++) {
    const phase = 1 + Math.floor(i / perPhase);
    // The last session of a phase moves on to the next one halfway through.
    const phaseChanges =
      i % perPhase === perPhase - 1 && phase < PHASES
        ? [{ at: EVENTS_PER_SESSION / 2, phase: phase + 1 }]
        : [];
    const session = `bench-${String(i).padStart(4, '0')}`;
    for (const event of realisticSessionEvents(
      { session, seed: i + 1, start: START + Math.round(i * every), phase, phaseChanges },
      EVENTS_PER_SESSION,
    ))
      writer.append(event);
    await writer.flush();
    writer.forget(session, { fsync: false });
  }
  await writer.close();
}

const root = makeTempDir('sat-bench-analytics-');
try {
  const logsDir = join(root, 'logs');
  heading(`log: ${formatNumber(TOTAL)} realistic events, ${SESSIONS} sessions over ${SPAN_DAYS} days`);
  const started = performance.now();
  await writeLog(logsDir);
  note(`written in ${((performance.now() - started) / 1e3).toFixed(1)} s (not timed below)`);
  const bundle = await bundleChild();
  const waited = await waitForQuietDisk();
  if (waited > 1500)
    note(`waited ${(waited / 1e3).toFixed(0)} s for the disk to finish writing the log back`);

  heading(
    'SQLite store (fresh child process, bundled JS on plain node): ingest, queries, re-ingest, rebuild',
  );
  const now = START + SPAN_DAYS * DAY_MS;
  const [r] = await runFixture<AnalyticsReport>(
    bundle,
    [logsDir, join(root, 'analytics', 'sat.db'), String(now), String(QUERY_RUNS)],
    { execArgv: [] },
  );
  if (!r) throw new Error('the analytics child sent no report');
  note(
    `ingestLog: ${formatNumber(r.events)} events of ${r.sessions} sessions in ${(r.ingestMs / 1e3).toFixed(2)} s; database ${formatBytes(r.dbBytes)} (${(r.dbBytes / r.events).toFixed(0)} bytes/event)`,
  );
  report('ingest rate (ingestLog, log read included)', r.events / (r.ingestMs / 1e3), 'events/s', {
    op: '>=',
    value: 150_000,
  });
  note(
    `of which reading and validating the log (readSessionEvents alone): ${(r.readMs / 1e3).toFixed(2)} s, ${formatNumber(r.events / (r.readMs / 1e3))} events/s`,
  );
  report('store side alone (ingest minus log read)', r.events / ((r.ingestMs - r.readMs) / 1e3), 'events/s');
  note(
    `queries: default filters (last 30 days of ${SPAN_DAYS}), ${QUERY_RUNS} runs each after 3 warm-up runs`,
  );
  for (const q of r.queries) {
    note(
      `${q.name}: p50 ${q.p50.toFixed(2)} ms, p90 ${q.p90.toFixed(2)} ms, max ${q.max.toFixed(2)} ms (${q.rows} rows)`,
    );
    if (!q.name.includes('(')) report(`${q.name} p50`, q.p50, 'ms', { op: '<=', value: 5 });
  }
  report('re-ingest with nothing new', r.reingestMs, 'ms');
  note(
    `rebuild: ${formatNumber(r.rebuildEvents)} events from the log in ${(r.rebuildMs / 1e3).toFixed(2)} s`,
  );
  report('rebuild of 1M events', r.rebuildMs / 1e3, 's', { op: '<=', value: 15 });
  note(
    `memory (VmHWM): ${formatBytes(r.baselineRss)} after loading, ${formatBytes(r.rssAfterIngest)} after the ingest, ${formatBytes(r.rssAfterQueries)} after the queries, ${formatBytes(r.peakRss)} after the rebuild`,
  );
  report('peak RSS: ingest, queries and rebuild in one process (VmHWM)', toMiB(r.peakRss), 'MiB', {
    op: '<=',
    value: 200,
  });
} finally {
  removeTempDir(root);
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
}
