/**
 * The cost of our Claude Code hook to the agent: the wall time of the exact command `sat init`
 * writes for PreToolUse/PostToolUse (`sh <capture.sh> PostToolUse`, payload on stdin), over 200
 * runs, next to a bare `node -e 0` measured in the same run. Then the ingest of those payloads.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureScript, ingestHookSpool, spoolDir } from '@sat/core';
import { formatNumber, heading, note, report, stats, withTempDir } from './lib.ts';

const RUNS = 200;
const NODE_RUNS = 50;

function timeCommand(command: string, args: string[], input: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { input, stdio: ['pipe', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} exited ${result.status}`);
  return ms;
}

await withTempDir('sat-bench-hook-', async (root) => {
  const logsDir = join(root, 'logs');
  const script = join(root, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  const payload = JSON.stringify({
    session_id: '5f3c1d2e-0000-4000-8000-00000000abcd',
    transcript_path: '/home/u/.claude/projects/-p/s.jsonl',
    cwd: '/p',
    permission_mode: 'default',
    hook_event_name: 'PostToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'pnpm test', description: 'Run the tests' },
    tool_use_id: 'toolu_01ABCDEF',
    tool_response: { stdout: 'x'.repeat(2000), stderr: '', interrupted: false },
  });

  heading(
    `hook command wall time: ${RUNS} runs of 'sh capture.sh PostToolUse' vs ${NODE_RUNS} runs of 'node -e 0'`,
  );
  // Interleave the two so both see the same machine load.
  const hook = new Float64Array(RUNS);
  const node = new Float64Array(NODE_RUNS);
  for (let i = 0, j = 0; i < RUNS; i++) {
    hook[i] = timeCommand('sh', [script, 'PostToolUse'], payload);
    if (i % (RUNS / NODE_RUNS) === 0 && j < NODE_RUNS)
      node[j++] = timeCommand(process.execPath, ['-e', '0'], '');
  }
  const h = stats(hook);
  const n = stats(node);
  note(
    `capture hook: median ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms; node -e 0: median ${n.p50.toFixed(1)} ms, p99 ${n.p99.toFixed(1)} ms`,
  );
  report('hook median wall time', h.p50, 'ms', { op: '<=', value: 10 });
  report('hook p99 wall time', h.p99, 'ms');
  report('node -e 0 median (same run)', n.p50, 'ms');
  report(
    'spool files captured',
    readdirSync(spoolDir(logsDir)).filter((f) => f.endsWith('.json')).length,
    'files',
    { op: '==', value: RUNS },
  );

  heading('ingest of the captured payloads');
  const start = performance.now();
  const result = await ingestHookSpool({ logsDir });
  const ms = performance.now() - start;
  note(
    `${result.files} payloads -> ${result.appended} events in ${ms.toFixed(0)} ms (${formatNumber(result.files / (ms / 1000))} payloads/s)`,
  );
  report('ingest rate', result.files / (ms / 1000), 'payloads/s');
});
