import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureScript, EventWriter, ingestCapture, loadConfig, spoolDir } from '@sat/core';
import { fireHook, plantedHistory } from '@sat/core/fixtures';
import { cliWebApi } from '../packages/cli/src/commands/serve.ts';
import { createContext } from '../packages/cli/src/context.ts';
import { createLiveStream, createWebApp, startWebServer } from '../packages/web/src/index.ts';
import { heading, note, percentile, report, withTempDir } from './lib.ts';

const SESSIONS = 400;
const SAMPLES = 30;
const LIVE_SAMPLES = 40;
const SESSION = '7a1d2c3b-0000-4000-8000-000000000web';

async function timeGet(url: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status >= 500) throw new Error(`${url}: ${res.status}`);
  return performance.now() - start;
}

function summary(samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

async function apiLatency(url: string, first: string, label: string): Promise<void> {
  const endpoints = [
    '/api/sessions?limit=100',
    `/api/sessions/${first}`,
    `/api/sessions/${first}/events?limit=100`,
    '/api/stats/agents?days=all',
    '/api/stats/tools?days=all',
    '/api/stats/errors?days=all',
    '/api/stats/cost?days=all',
    '/api/stats/session?days=all',
    '/api/alerts?days=all',
    `/api/sessions/${first}/snapshots`,
    '/api/backups',
  ];
  heading(
    `API latency over HTTP, ${SESSIONS} sessions, ${SAMPLES} requests per endpoint (first one warms up)`,
  );
  const floor: number[] = [];
  for (let i = 0; i < SAMPLES; i++) floor.push(await timeGet(`${url}/api/nothing`));
  for (const path of endpoints) {
    await timeGet(`${url}${path}`);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await timeGet(`${url}${path}`));
    const s = summary(samples);
    const name = path.replace(first, ':id').replace(/\?.*/, '');
    note(`${name}: p50 ${s.p50.toFixed(1)} ms`);
    report(`GET ${name} p95 (${label})`, Number(s.p95.toFixed(1)), 'ms', { op: '<=', value: 50 });
  }
  const f = summary(floor);
  report(`HTTP round trip to an empty route p50 (floor, same run, ${label})`, Number(f.p50.toFixed(2)), 'ms');
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

await withTempDir('sat-bench-web-', async (root) => {
  const config = loadConfig({ root });
  const logsDir = config.paths.logs;
  const history = plantedHistory({ seed: 3, sessions: SESSIONS, eventsPerSession: 100, phases: 4 });
  const writer = new EventWriter({ logsDir });
  for (const { session } of history.sessions) {
    for (const event of history.events(session)) writer.append(event);
    await writer.flush();
  }
  await writer.close();
  mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
  const script = join(root, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  const live = await createLiveStream({ logsDir, ingest: () => ingestCapture(config) });
  const api = cliWebApi(createContext({ home: root }));
  const cold = await startWebServer(createWebApp({ api, live, cacheMs: 0 }), { host: '127.0.0.1', port: 0 });
  const server = await startWebServer(createWebApp({ api, live }), { host: '127.0.0.1', port: 0 });
  try {
    await apiLatency(cold.url, history.sessions[0]!.session, 'no answer cache');
    await apiLatency(server.url, history.sessions[0]!.session, 'answer cache, as sat serve runs');
    await liveLatency(server.url, root, script);
  } finally {
    live.close();
    await cold.close();
    await server.close();
  }
});
