import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  captureScript,
  createLiveWatch,
  ingestCapture,
  loadConfig,
  readSessionSummaryFile,
  sessionSummaryFilePath,
  spoolDir,
} from '@sat/core';
import { fireHook } from '@sat/core/fixtures';
import { applyLiveBatch, emptyLiveModel } from '../packages/cli/src/dashboard/live-model.ts';
import { dashboardView, INITIAL_UI } from '../packages/cli/src/dashboard/view-model.ts';
import { heading, note, percentile, report, stats, withTempDir } from './lib.ts';

const SAMPLES = 60;
const SESSION = '5f3c1d2e-0000-4000-8000-00000000live';

await withTempDir('sat-bench-live-', async (root) => {
  const config = loadConfig({ root });
  const logsDir = config.paths.logs;
  mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
  const script = join(root, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  const model = emptyLiveModel();
  const live = createLiveWatch({
    logsDir,
    ingest: () => ingestCapture(config),
    onBatch: (batch) => applyLiveBatch(model, batch, Date.now()),
  });
  live.start();
  const base = {
    session_id: SESSION,
    cwd: root,
    transcript_path: join(root, 't.jsonl'),
    permission_mode: 'default',
  };
  await fireHook(script, root, 'SessionStart', {
    ...base,
    hook_event_name: 'SessionStart',
    source: 'startup',
  });

  heading(
    `hook fired -> visible in the dashboard's view model and the statusline's summary file, ${SAMPLES} tool calls`,
  );
  const summaryPath = sessionSummaryFilePath(config.root, SESSION);
  const summarySeq = () => readSessionSummaryFile(summaryPath).summary?.lastSeq ?? 0;
  const latency = new Float64Array(SAMPLES);
  const statusline = new Float64Array(SAMPLES);
  const hookMs = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const marker = `echo live-${i}`;
    const call = {
      ...base,
      tool_name: 'Bash',
      tool_input: { command: marker },
      tool_use_id: `toolu_live_${i}`,
    };
    await fireHook(script, root, 'PreToolUse', { ...call, hook_event_name: 'PreToolUse' });
    const seqBefore = summarySeq();
    const fired = performance.now();
    const post = fireHook(script, root, 'PostToolUse', {
      ...call,
      hook_event_name: 'PostToolUse',
      tool_response: { stdout: 'ok' },
    });
    const visible = () =>
      dashboardView(model, { ui: INITIAL_UI, now: Date.now() }).session?.events.some((e) =>
        e.text.includes(marker),
      );
    while (!visible()) {
      if (performance.now() - fired > 10_000) throw new Error(`tool call ${i} not visible after 10 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    latency[i] = performance.now() - fired;
    // What `sat statusline` prints comes from this file alone: the call counts once its seq is in.
    while (summarySeq() <= seqBefore) {
      if (performance.now() - fired > 10_000) throw new Error(`tool call ${i} not in the summary after 10 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    statusline[i] = performance.now() - fired;
    hookMs[i] = await post;
    await new Promise((r) => setTimeout(r, 50 + (i % 7) * 20));
  }
  live.close();
  const l = stats(latency);
  const h = stats(hookMs);
  const p95 = percentile(Float64Array.from(latency).sort(), 95);
  note(`visible after: p50 ${l.p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${l.max.toFixed(0)} ms`);
  note(`floor (the hook process itself, same run): p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms`);
  report('hook fired -> dashboard view p50', Math.round(l.p50), 'ms', { op: '<=', value: 1000 });
  report('hook fired -> dashboard view p95', Math.round(p95), 'ms', { op: '<=', value: 1000 });
  const s = stats(statusline);
  const s95 = percentile(Float64Array.from(statusline).sort(), 95);
  note(
    `in the statusline's summary file after: p50 ${s.p50.toFixed(0)} ms, p95 ${s95.toFixed(0)} ms (plus the statusline's own run, see bench statusline)`,
  );
  report('hook fired -> statusline summary p50', Math.round(s.p50), 'ms', { op: '<=', value: 1000 });
  report('hook fired -> statusline summary p95', Math.round(s95), 'ms', { op: '<=', value: 1000 });
  report('hook process wall time p50 (floor, same run)', Number(h.p50.toFixed(1)), 'ms');
});
