/**
 * Snapshots, restore and recovery on a session of 100,000 realistic events: an incremental
 * snapshot (latest snapshot + the events appended since), restoring a snapshot, and the real
 * `sat recover --yes` end to end (a child process running the CLI from source, as `pnpm sat`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSnapshot,
  EventWriter,
  loadConfig,
  loadSessionState,
  loadSnapshot,
  restoreSnapshot,
  type SatConfig,
} from '@sat/core';
import { realisticEvents } from '@sat/core/fixtures';
import { formatNumber, heading, note, report, stats, TSX_EXEC_ARGV, withTempDir } from './lib.ts';

const EVENTS = 100_000;
const ROUNDS = 30;
const BATCH = 10;
const FILES = [
  'src/index.ts',
  'src/server.ts',
  'src/db/schema.ts',
  'README.md',
  'package.json',
  'test/api.test.ts',
  'src/cli/main.ts',
];
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'src', 'bin.ts');

function project(root: string): string {
  const dir = join(root, 'project');
  for (const file of FILES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `// ${file}\n${'export const line = 1;\n'.repeat(200)}`);
  }
  return dir;
}

async function writeSession(config: SatConfig, session: string, cwd: string, count: number): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs });
  const start = Date.now() - 5 * 86_400_000;
  writer.append({ type: 'session_start', session, data: { client: 'bench', cwd }, ts: new Date(start) });
  writer.append({
    type: 'user_prompt',
    session,
    data: { text: 'Add a health check endpoint to the API server and cover it with tests', chars: 70 },
    ts: new Date(start),
  });
  for (const event of realisticEvents({ session, start: start + 1000 }, count - 2)) writer.append(event);
  await writer.close();
}

function loadSnapshotNote(config: SatConfig, id: string): string {
  const file = loadSnapshot(config, id).files.find((f) => f.path === 'src/generated.ts');
  return file?.diffNote ?? (file?.diff ? 'diff kept' : 'no diff');
}

function runCli(args: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...TSX_EXEC_ARGV, BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`sat ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

await withTempDir('sat-bench-snapshot-', async (root) => {
  const cwd = project(root);
  const config = loadConfig({ root: join(root, 'data'), cwd, env: {} });
  const session = 'bench-snapshot-100k';

  heading(`a session of ${formatNumber(EVENTS)} realistic events`);
  let t = performance.now();
  await writeSession(config, session, cwd, EVENTS);
  note(`written in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  const first = await createSnapshot(config, session, { trigger: 'manual' });
  const fullMs = performance.now() - t;
  note(
    `first snapshot (no previous one: replays all ${formatNumber(first.replayed)} events): ${fullMs.toFixed(0)} ms, ${formatNumber(first.snapshot.bytes)} bytes`,
  );
  report('first snapshot, full replay of 100k events', fullMs, 'ms');

  heading(
    `incremental snapshot: ${ROUNDS} rounds of ${BATCH} new events (every 3rd round an agent's edit to a file: one line changed, one added)`,
  );
  const writer = new EventWriter({ logsDir: config.paths.logs });
  const times = new Float64Array(ROUNDS);
  let lastId = first.snapshot.id;
  let index = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const event of realisticEvents({ session, seed: round + 2, start: Date.now() - 86_400_000 }, BATCH))
      writer.append(event);
    await writer.flush();
    if (round % 3 === 0) {
      // An edit as an agent makes it: one line changed, one added.
      const file = join(cwd, FILES[index++ % FILES.length]!);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[1 + (round % 150)] = `export const line = ${round};`;
      lines.splice(100, 0, `export const added${round} = true;`);
      writeFileSync(file, lines.join('\n'));
    }
    const started = performance.now();
    const result = await createSnapshot(config, session, { trigger: 'manual' });
    times[round] = performance.now() - started;
    if (result.baseId !== lastId) throw new Error(`round ${round}: not incremental (base ${result.baseId})`);
    if (result.replayed < BATCH) throw new Error(`round ${round}: replayed ${result.replayed}`);
    lastId = result.snapshot.id;
  }
  // The worst case for a round: a whole 60 KB text file rewritten (hashed, kept, diff given up).
  const big = join(cwd, 'src', 'generated.ts');
  writeFileSync(big, 'export const a = 1;\n'.repeat(3000));
  writer.append({
    type: 'file_operation',
    session,
    data: { operation: 'create', path: 'src/generated.ts' },
    ts: new Date(Date.now() - 86_400_000), // the session stays quiet, for the recovery below
  });
  await writer.flush();
  await createSnapshot(config, session);
  const rewrites = new Float64Array(10);
  let rewrite = first;
  for (let i = 0; i < rewrites.length; i++) {
    writeFileSync(big, `export const v${i} = ${i};\n`.repeat(3000));
    t = performance.now();
    rewrite = await createSnapshot(config, session);
    rewrites[i] = performance.now() - t;
  }
  const rewriteStats = stats(rewrites);
  await writer.close();
  const inc = stats(times);
  note(
    `median ${inc.p50.toFixed(2)} ms, p90 ${inc.p90.toFixed(2)} ms, max ${inc.max.toFixed(2)} ms (each: latest snapshot + ${BATCH} new events and its own snapshot event, ${FILES.length} files checked, file written with fsync + rename + folder fsync, index line, event)`,
  );
  report('incremental snapshot creation, median', inc.p50, 'ms', { op: '<=', value: 20 });
  report('incremental snapshot creation, p90', inc.p90, 'ms', { op: '<=', value: 20 });
  note(
    `10 snapshots, each after a 60 KB file was rewritten whole: median ${rewriteStats.p50.toFixed(2)} ms, max ${rewriteStats.max.toFixed(2)} ms (${rewrite.changedFiles.join(', ')} changed; ${loadSnapshotNote(config, rewrite.snapshot.id)})`,
  );
  report('incremental snapshot after a 60 KB file was rewritten, median', rewriteStats.p50, 'ms', {
    op: '<=',
    value: 20,
  });

  heading('restore (read, verify SHA-256, gunzip, parse) of the latest snapshot');
  const restores = new Float64Array(ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    const state = restoreSnapshot(config, lastId);
    restores[i] = performance.now() - started;
    if (state.session !== session) throw new Error('wrong state');
  }
  const rs = stats(restores);
  note(`median ${rs.p50.toFixed(2)} ms, p90 ${rs.p90.toFixed(2)} ms, max ${rs.max.toFixed(2)} ms`);
  report('restore, median', rs.p50, 'ms', { op: '<=', value: 50 });
  report('restore, max', rs.max, 'ms', { op: '<=', value: 50 });

  t = performance.now();
  const loaded = await loadSessionState(config, session);
  report('current state (latest snapshot + replay of the rest)', performance.now() - t, 'ms');
  note(
    `state: ${formatNumber(loaded.state.events)} events, ${formatNumber(JSON.stringify(loaded.state).length)} bytes as JSON`,
  );

  heading('sat recover --yes (real CLI from source, node + tsx startup included)');
  const env = { SAT_HOME: join(root, 'data'), CLAUDE_PROJECT_DIR: cwd };
  runCli(['--version'], env); // warm the file system cache and tsx's compile cache
  const node = runCli(['--version'], env).ms;
  const recover = runCli(['recover', '--yes', '--json'], env);
  const out = JSON.parse(recover.stdout) as {
    sessions: Array<{ session: string; recovered?: { tokens: number } }>;
  };
  const done = out.sessions.find((s) => s.session === session);
  if (!done?.recovered) throw new Error('the session was not recovered');
  note(
    `recovered ${out.sessions.length} session(s) in ${recover.ms.toFixed(0)} ms (handoff ~${done.recovered.tokens} tokens); 'sat --version' alone takes ${node.toFixed(0)} ms`,
  );
  report('sat recover --yes end to end', recover.ms, 'ms', { op: '<=', value: 2000 });

  const fresh = 'bench-recover-no-snapshot';
  await writeSession(config, fresh, cwd, EVENTS);
  const cold = runCli(['recover', '--yes', '--json'], env);
  note(
    `the same with no snapshot yet (replays all ${formatNumber(EVENTS)} events): ${cold.ms.toFixed(0)} ms`,
  );
  report('sat recover --yes, no snapshot yet', cold.ms, 'ms');
});
