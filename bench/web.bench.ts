/**
 * `pnpm bench web`: `sat serve`'s REST API at issue 15's size (400 sessions, 1M events), the live
 * latency hook -> SSE client, and the OTLP ingest rate of POST /v1/logs.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  captureScript,
  closeSessionLog,
  digestCacheDir,
  ingestCapture,
  loadConfig,
  receiveOtlp,
  refreshDigestCache,
  spoolDir,
} from '@sat/core';
import { fireHook, plantedHistory } from '@sat/core/fixtures';
import { openSqliteStore } from '@sat/store-sqlite';
import { cliWebApi } from '../packages/cli/src/commands/serve.ts';
import { createContext } from '../packages/cli/src/context.ts';
import { type ClaudeCodeRecord, otlpLogsBody } from '../packages/core/test/otel/otlp-sdk.ts';
import { createLiveStream, createWebApp, startWebServer } from '../packages/web/src/index.ts';
import { buildUi } from '../packages/web/ui/build-ui.ts';
import {
  formatNumber,
  heading,
  makeTempDir,
  note,
  percentile,
  removeTempDir,
  report,
  writeHistory,
} from './lib.ts';
import { timeToFirstChart } from './lib-browser.ts';

const SESSIONS = 400;
const EVENTS_PER_SESSION = 2500;
/** Sessions left open (the newest); the others are ended and closed (compressed), as the pipeline leaves them. */
const OPEN_SESSIONS = 10;
const SAMPLES = 30;
const LIVE_SAMPLES = 40;
const OTLP_BATCHES = 40;
const OTLP_BATCH = 100;
const SESSION = '7a1d2c3b-0000-4000-8000-000000000web';
const DATA_VERSION = 1;

async function timeGet(url: string, expected = 200): Promise<number> {
  const start = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== expected) throw new Error(`${url}: ${res.status}`);
  return performance.now() - start;
}

function summary(samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** Writes the planted history's logs, closes all but the newest sessions and fills the digest cache and the store, as a user's data root has them. */
async function plant(root: string): Promise<number> {
  const config = loadConfig({ root });
  const logsDir = config.paths.logs;
  const history = plantedHistory({
    seed: 3,
    sessions: SESSIONS,
    eventsPerSession: EVENTS_PER_SESSION,
    phases: 4,
  });
  const events = await writeHistory(logsDir, history);
  for (const { session } of history.sessions.slice(0, SESSIONS - OPEN_SESSIONS))
    await closeSessionLog(logsDir, session, { level: 1 });
  await refreshDigestCache(logsDir, digestCacheDir(config));
  const store = await openSqliteStore({ config });
  try {
    await store.ingestLog();
  } finally {
    await store.close();
  }
  return events;
}

/** The planted data root, made once per size under the temp folder and copied for each run (the runs write to it). */
async function plantedRoot(): Promise<{ root: string; first: string; open: string; events: number }> {
  const cache = join(tmpdir(), `sat-bench-web-data-v${DATA_VERSION}-${SESSIONS}x${EVENTS_PER_SESSION}`);
  const done = join(cache, 'planted.json');
  const started = performance.now();
  if (!existsSync(done)) {
    removeTempDir(cache);
    const events = await plant(cache);
    writeFileSync(done, JSON.stringify({ events }));
    note(
      `planted in ${((performance.now() - started) / 1e3).toFixed(1)} s under ${cache} (kept for the next runs)`,
    );
  }
  const { events } = JSON.parse(readFileSync(done, 'utf8')) as { events: number };
  const root = makeTempDir('sat-bench-web-');
  cpSync(cache, root, { recursive: true });
  const { sessions } = plantedHistory({ seed: 3, sessions: SESSIONS, eventsPerSession: EVENTS_PER_SESSION });
  return { root, first: sessions[0]!.session, open: sessions.at(-1)!.session, events };
}

function endpoints(first: string, open: string): string[] {
  return [
    '/api/sessions?limit=100',
    '/api/sessions?phase=phase-2&limit=100',
    `/api/sessions/${first}`,
    `/api/sessions/${open}`,
    `/api/sessions/${first}/events?limit=100`,
    `/api/sessions/${open}/events?limit=100`,
    '/api/stats/agents?days=all',
    '/api/stats/tools?days=all',
    '/api/stats/errors?days=all',
    '/api/stats/cost?days=all',
    '/api/stats/session?days=all',
    '/api/alerts?days=all',
    '/api/alerts',
    `/api/sessions/${first}/snapshots`,
    '/api/backups',
  ];
}

async function apiLatency(url: string, first: string, open: string, events: number): Promise<void> {
  heading(
    `API latency over HTTP, ${SESSIONS} sessions (${OPEN_SESSIONS} open), ${formatNumber(events)} events, ${SAMPLES} requests per endpoint after a cold one`,
  );
  const floor: number[] = [];
  for (let i = 0; i < SAMPLES; i++) floor.push(await timeGet(`${url}/api/nothing-here`, 404));
  for (const path of endpoints(first, open)) {
    const cold = await timeGet(`${url}${path}`);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await timeGet(`${url}${path}`));
    const s = summary(samples);
    const name = path.replace(first, ':closed').replace(open, ':open');
    note(`${name}: cold ${cold.toFixed(0)} ms, p50 ${s.p50.toFixed(1)} ms`);
    report(`GET ${name} p50`, Number(s.p50.toFixed(1)), 'ms', { op: '<=', value: 50 });
    report(`GET ${name} p95`, Number(s.p95.toFixed(1)), 'ms', { op: '<=', value: 50 });
    report(`GET ${name} cold (first after start)`, Math.round(cold), 'ms');
  }
  const f = summary(floor);
  report('HTTP round trip to an empty route p50 (floor, same run)', Number(f.p50.toFixed(2)), 'ms');
  report('HTTP round trip to an empty route p95 (floor, same run)', Number(f.p95.toFixed(2)), 'ms');
}

/** The first answers of a second server on the same data root: what the first one saved (usage index, alert scans) is read, not the logs. */
async function restartLatency(root: string, first: string): Promise<void> {
  heading('cold answers after a restart (a new server on the same data root)');
  const api = cliWebApi(createContext({ home: root }));
  const server = await startWebServer(createWebApp({ api }), { host: '127.0.0.1', port: 0 });
  try {
    for (const path of ['/api/sessions?limit=100', '/api/alerts?days=all', `/api/sessions/${first}`]) {
      const name = path.replace(first, ':closed');
      report(`GET ${name} cold after a restart`, Math.round(await timeGet(`${server.url}${path}`)), 'ms');
    }
  } finally {
    await server.close();
    await api.close();
  }
}

async function liveLatency(url: string, root: string, script: string): Promise<void> {
  heading(`hook fired -> tool call read by an SSE client of /api/stream, ${LIVE_SAMPLES} tool calls`);
  const res = await fetch(`${url}/api/stream`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const base = { session_id: SESSION, cwd: root, permission_mode: 'default' };
  await fireHook(script, root, 'SessionStart', {
    ...base,
    hook_event_name: 'SessionStart',
    source: 'startup',
  });
  const latency: number[] = [];
  const hookMs: number[] = [];
  for (let i = 0; i < LIVE_SAMPLES; i++) {
    const marker = `echo web-live-${i}`;
    const call = {
      ...base,
      tool_name: 'Bash',
      tool_input: { command: marker },
      tool_use_id: `toolu_web_${i}`,
    };
    await fireHook(script, root, 'PreToolUse', { ...call, hook_event_name: 'PreToolUse' });
    const fired = performance.now();
    const post = fireHook(script, root, 'PostToolUse', {
      ...call,
      hook_event_name: 'PostToolUse',
      tool_response: { stdout: 'ok' },
    });
    while (!(text.includes(marker) && text.slice(text.indexOf(marker)).includes('\n\n'))) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += decoder.decode(value, { stream: true });
    }
    latency.push(performance.now() - fired);
    text = '';
    hookMs.push(await post);
    await new Promise((r) => setTimeout(r, 50 + (i % 7) * 20));
  }
  await reader.cancel();
  const l = summary(latency);
  const h = summary(hookMs);
  note(`visible after: p50 ${l.p50.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms`);
  report('hook fired -> SSE client p50', Math.round(l.p50), 'ms', { op: '<=', value: 1000 });
  report('hook fired -> SSE client p95', Math.round(l.p95), 'ms', { op: '<=', value: 1000 });
  report('hook process wall time p50 (floor, same run)', Number(h.p50.toFixed(1)), 'ms');
}

/** One batch of Claude Code's log records (api requests, tool results and decisions, prompts, api errors). */
function otlpBatch(batch: number, session: string, start: number): ClaudeCodeRecord[] {
  const records: ClaudeCodeRecord[] = [];
  for (let i = 0; i < OTLP_BATCH; i++) {
    const n = batch * OTLP_BATCH + i;
    const at = start + n * 250;
    const base = { 'session.id': session, 'prompt.id': `prompt-${Math.floor(n / 20)}` };
    const kind = n % 10;
    if (kind < 4)
      records.push({
        name: 'api_request',
        at,
        attributes: {
          ...base,
          model: n % 3 === 0 ? 'claude-opus-4-1' : 'claude-sonnet-4-5',
          cost_usd: 0.0123,
          duration_ms: String(1500 + (n % 900)),
          input_tokens: String(10 + (n % 50)),
          output_tokens: String(200 + (n % 400)),
          cache_read_tokens: String(9000 + n),
          cache_creation_tokens: '500',
          request_id: `req_bench_${n}`,
          query_source: n % 4 === 0 ? 'subagent' : 'main',
          ...(n % 4 === 0 ? { 'agent.name': 'test-runner' } : {}),
        },
      });
    else if (kind < 8)
      records.push({
        name: 'tool_result',
        at,
        attributes: {
          ...base,
          tool_name: ['Bash', 'Read', 'Edit', 'Grep'][n % 4]!,
          tool_use_id: `toolu_bench_${n}`,
          success: n % 13 === 0 ? 'false' : 'true',
          duration_ms: String(20 + (n % 700)),
          ...(n % 13 === 0 ? { error_type: 'exit_code' } : {}),
        },
      });
    else if (kind === 8)
      records.push({
        name: 'tool_decision',
        at,
        attributes: { ...base, tool_name: 'Bash', decision: 'accept', source: 'config' },
      });
    else
      records.push({
        name: 'user_prompt',
        at,
        attributes: { ...base, prompt_length: String(40 + (n % 300)) },
      });
  }
  return records;
}

async function postAll(url: string, bodies: readonly Uint8Array[]): Promise<number> {
  const started = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await res.json()) as { partialSuccess?: { rejectedLogRecords?: number } };
    if (res.status !== 200 || (answer.partialSuccess?.rejectedLogRecords ?? 0) > 0)
      throw new Error(`POST /v1/logs: ${res.status} ${JSON.stringify(answer)}`);
  }
  return (performance.now() - started) / 1e3;
}

async function otlpRate(url: string): Promise<void> {
  heading(
    `OTLP ingest: POST /v1/logs, ${OTLP_BATCHES} batches of ${OTLP_BATCH} records (the SDK's JSON serializer)`,
  );
  const session = '7a1d2c3b-0000-4000-8000-0000000o7e1a';
  const start = Date.now() - 3_600_000;
  const bodies: Uint8Array[] = [];
  for (let b = 0; b < OTLP_BATCHES; b++) bodies.push(await otlpLogsBody(otlpBatch(b, session, start)));
  const records = OTLP_BATCHES * OTLP_BATCH;
  const mb = bodies.reduce((sum, body) => sum + body.byteLength, 0) / 1e6;
  note(`${formatNumber(mb, 2)} MB of bodies, ${formatNumber((mb * 1e3) / OTLP_BATCHES, 1)} kB per batch`);
  for (const [label, seconds] of [
    ['new records', await postAll(url, bodies)],
    ['re-sent batches (dedupe)', await postAll(url, bodies)],
  ] as const) {
    report(`OTLP ${label}: records/s`, Math.round(records / seconds), 'records/s');
    report(`OTLP ${label}: MB/s`, Number((mb / seconds).toFixed(2)), 'MB/s');
  }
}

const PAGE_LOADS = 5;

/** `loads` page loads of the overview, each in a fresh browser: the time to the first chart drawn. */
async function firstCharts(url: string, loads: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < loads; i++) ms.push((await timeToFirstChart(`${url}/?days=all`)).ms);
  return ms;
}

async function pageLoad(url: string, root: string, uiDir: string): Promise<void> {
  heading(
    `page load: the overview (?days=all) in Debian's Chromium at 1280x800, navigation start to the first chart drawn, ${PAGE_LOADS} loads each in a fresh browser`,
  );
  const warm = summary(await firstCharts(url, PAGE_LOADS));
  note(`p50 ${warm.p50.toFixed(0)} ms`);
  report('overview: time to first chart p95 (running server)', Math.round(warm.p95), 'ms', {
    op: '<=',
    value: 1000,
  });
  // A server just started on the same data root: it has only what the last run saved.
  const api = cliWebApi(createContext({ home: root }));
  const server = await startWebServer(createWebApp({ api, uiDir }), { host: '127.0.0.1', port: 0 });
  try {
    const [first] = await firstCharts(server.url, 1);
    report('overview: time to first chart, first load on a just-started server', Math.round(first!), 'ms', {
      op: '<=',
      value: 1000,
    });
  } finally {
    await server.close();
    await api.close();
  }
}

const { root, first, open, events } = await plantedRoot();
const uiDir = join(root, 'ui-bundle');
const bundle = await buildUi(uiDir);
note(
  `page bundle: JS ${formatNumber(bundle.bytes.js / 1024, 1)} KiB, CSS ${formatNumber(bundle.bytes.css / 1024, 1)} KiB (minified)`,
);
try {
  const config = loadConfig({ root });
  const logsDir = config.paths.logs;
  mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
  const script = join(root, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  const live = await createLiveStream({ logsDir, ingest: () => ingestCapture(config) });
  const api = cliWebApi(createContext({ home: root }));
  const app = createWebApp({
    api,
    live,
    uiDir,
    otlp: (signal, body) => receiveOtlp(config, signal, body),
  });
  const server = await startWebServer(app, { host: '127.0.0.1', port: 0 });
  try {
    await apiLatency(server.url, first, open, events);
    await restartLatency(root, first);
    await liveLatency(server.url, root, script);
    await otlpRate(server.url);
    await pageLoad(server.url, root, uiDir);
  } finally {
    live.close();
    await server.close();
    await api.close();
  }
} finally {
  removeTempDir(root);
}
