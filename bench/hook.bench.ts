/**
 * The cost of our Claude Code hook to the agent: the wall time of the exact command `sat init`
 * writes for PreToolUse/PostToolUse (`sh <capture.sh> PostToolUse`, payload on stdin), over 200
 * runs, next to the least any hook can cost (a bare shell that reads its stdin, `sh -c 'cat >/dev/null'`)
 * and a bare `node -e 0`, measured in the same run. Then the ingest of those payloads.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureScript, ingestHookSpool, spoolDir } from '@sat/core';
import { buildCli, formatNumber, heading, note, report, stats, withTempDir } from './lib.ts';

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
    `hook command wall time: ${RUNS} runs each of 'sh capture.sh PostToolUse' and 'sh -c "cat >/dev/null"', ${NODE_RUNS} of 'node -e 0'`,
  );
  // Interleave them so all see the same machine load.
  const hook = new Float64Array(RUNS);
  const bare = new Float64Array(RUNS);
  const node = new Float64Array(NODE_RUNS);
  for (let i = 0, j = 0; i < RUNS; i++) {
    hook[i] = timeCommand('sh', [script, 'PostToolUse'], payload);
    bare[i] = timeCommand('sh', ['-c', 'cat >/dev/null'], payload);
    if (i % (RUNS / NODE_RUNS) === 0 && j < NODE_RUNS)
      node[j++] = timeCommand(process.execPath, ['-e', '0'], '');
  }
  const h = stats(hook);
  const b = stats(bare);
  const n = stats(node);
  note(
    `capture hook: median ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms; sh -c 'cat >/dev/null': median ${b.p50.toFixed(2)} ms; node -e 0: median ${n.p50.toFixed(1)} ms, p99 ${n.p99.toFixed(1)} ms`,
  );
  report('hook median wall time', h.p50, 'ms', { op: '<=', value: 10 });
  report('hook p99 wall time', h.p99, 'ms');
  report("sh -c 'cat >/dev/null' median (same run)", b.p50, 'ms');
  report('hook median / bare shell median', Number((h.p50 / b.p50).toFixed(2)), 'x', {
    op: '<=',
    value: 1.3,
  });
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

await withTempDir('sat-bench-session-start-', async (root) => {
  heading('SessionStart continuity hook: the built CLI (as installed) prints the latest handoff, 20 runs');
  const bin = buildCli();
  const logsDir = join(root, 'logs');
  const script = join(root, 'capture.sh');
  writeFileSync(
    script,
    captureScript({ spoolDir: spoolDir(logsDir), satCommand: `'${process.execPath}' '${bin}'` }),
  );
  mkdirSync(join(root, 'handoffs'), { recursive: true });
  writeFileSync(
    join(root, 'handoffs', 'latest-s.md'),
    `# Handoff\n\n${'Goal: finish the linter setup. '.repeat(200)}`,
  );
  const payload = JSON.stringify({
    session_id: 's',
    transcript_path: '/x',
    cwd: root,
    hook_event_name: 'SessionStart',
    source: 'resume',
  });
  const times = new Float64Array(20);
  let withContext = 0;
  for (let i = 0; i < times.length; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync('sh', [script, 'SessionStart'], {
      input: payload,
      env: { ...process.env, SAT_HOME: root },
    });
    times[i] = Number(process.hrtime.bigint() - start) / 1e6;
    if (String(run.stdout).includes('additionalContext')) withContext++;
  }
  const t = stats(times);
  note(`median ${t.p50.toFixed(0)} ms, max ${t.max.toFixed(0)} ms; ${withContext}/20 printed the handoff`);
  report('SessionStart hook median', t.p50, 'ms', { op: '<=', value: 1000 });
  report('SessionStart hook max', t.max, 'ms', { op: '<=', value: 1000 });
  report('SessionStart hook printed the handoff', withContext, 'runs', { op: '==', value: 20 });
});
