/**
 * What `sat statusline` costs Claude Code after every assistant message: the built bin
 * (packages/cli/dist/bin.js) with a realistic statusline payload on stdin and the per-session
 * summary file ingest wrote for the busiest bundled sample session, next to a bare `node -e 0` in
 * the same run (interleaved). Bytes read are the kernel's own count (`rchar` of /proc/self/io at
 * exit: every read, node's own code included), for both.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, sessionSummaryFilePath, writeSessionSummaryFiles } from '@sat/core';
import { buildCli, heading, note, percentile, report, withTempDir } from './lib.ts';

const RUNS = 30;
const MiB = 1024 * 1024;

function rchar(file: string): number {
  const match = /rchar:\s*(\d+)/.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

await withTempDir('sat-bench-statusline-', async (root) => {
  const bin = buildCli();
  const project = join(root, 'project');
  mkdirSync(project);
  spawnSync('git', ['init', '-q', project]);
  const satHome = join(root, 'sat');
  const env = {
    ...process.env,
    HOME: join(root, 'home'),
    CLAUDE_CONFIG_DIR: join(root, 'claude'),
    CLAUDE_PROJECT_DIR: project,
    SAT_HOME: satHome,
    SAT_CONFIG: '',
    COLUMNS: '120',
  };
  const sat = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: project, env, encoding: 'utf8' });
  sat(['quickstart', '--sample']);
  const sessions = JSON.parse(sat(['sessions', '--json']).stdout) as Array<{
    session: string;
    events: number;
  }>;
  const busiest = sessions.reduce((a, b) => (b.events > a.events ? b : a));
  await writeSessionSummaryFiles(loadConfig({ root: satHome, env: { ...env, SAT_HOME: satHome } }), [
    busiest.session,
  ]);
  const summaryBytes = statSync(sessionSummaryFilePath(satHome, busiest.session)).size;
  const payload = JSON.stringify({
    session_id: busiest.session,
    transcript_path: join(root, 'claude', 'projects', 'p', `${busiest.session}.jsonl`),
    cwd: project,
    model: { id: 'claude-opus-4-7', display_name: 'Opus 4.7' },
    workspace: { current_dir: project, project_dir: project },
    version: '2.1.120',
    cost: {
      total_cost_usd: 3.71,
      total_duration_ms: 1_840_000,
      total_api_duration_ms: 610_000,
      total_lines_added: 412,
      total_lines_removed: 88,
    },
    context_window: {
      total_input_tokens: 98_000,
      total_output_tokens: 12_000,
      context_window_size: 200_000,
      used_percentage: 49,
      remaining_percentage: 51,
    },
    rate_limits: {
      five_hour: { used_percentage: 22, resets_at: 1_765_000_000 },
      seven_day: { used_percentage: 9, resets_at: 1_765_400_000 },
    },
    effort: { level: 'high' },
  });
  const first = sat(['statusline']);
  note(
    `line: ${JSON.stringify(spawnSync(process.execPath, [bin, 'statusline'], { env: { ...env, NO_COLOR: '1' }, input: payload, encoding: 'utf8' }).stdout)}`,
  );
  if (first.status !== 0) throw new Error(`sat statusline exited ${first.status}`);

  heading(
    `sat statusline (${RUNS} interleaved runs with node -e 0; summary file ${summaryBytes} bytes, ${busiest.events} events)`,
  );
  const ioFile = join(root, 'io.txt');
  const nodeTimes = new Float64Array(RUNS);
  const satTimes = new Float64Array(RUNS);
  let satRead = 0;
  let nodeRead = 0;
  for (let i = 0; i < RUNS; i++) {
    let start = process.hrtime.bigint();
    spawnSync(process.execPath, [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(ioFile)}, require('fs').readFileSync('/proc/self/io'))`,
    ]);
    nodeTimes[i] = Number(process.hrtime.bigint() - start) / 1e6;
    nodeRead = Math.max(nodeRead, rchar(ioFile));
    start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [bin, 'statusline'], {
      cwd: project,
      env: { ...env, SAT_STATUSLINE_IO_REPORT: ioFile },
      input: payload,
    });
    satTimes[i] = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status !== 0) throw new Error(`sat statusline exited ${run.status}`);
    satRead = Math.max(satRead, rchar(ioFile));
  }
  const sorted = (a: Float64Array) => Float64Array.from(a).sort();
  const node = { p50: percentile(sorted(nodeTimes), 50), p95: percentile(sorted(nodeTimes), 95) };
  const line = { p50: percentile(sorted(satTimes), 50), p95: percentile(sorted(satTimes), 95) };
  report('node -e 0 median', node.p50, 'ms');
  report('node -e 0 p95', node.p95, 'ms');
  report('sat statusline median', line.p50, 'ms');
  report('sat statusline p95', line.p95, 'ms');
  report('sat statusline / node -e 0 (median)', Number((line.p50 / node.p50).toFixed(2)), 'x', {
    op: '<=',
    value: 1.5,
  });
  report('sat statusline / node -e 0 (p95)', Number((line.p95 / node.p95).toFixed(2)), 'x');
  report('sat statusline bytes read (rchar, all files)', Number((satRead / MiB).toFixed(2)), 'MiB', {
    op: '<=',
    value: 5,
  });
  report('node -e 0 bytes read (rchar)', Number((nodeRead / MiB).toFixed(2)), 'MiB');
});
