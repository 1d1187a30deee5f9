/**
 * `pnpm bench mongo`: the MongoDB store on the wire-protocol test server (`@sat/store-mongo/testing`).
 *
 * 1. `sat migrate --to mongo` of a generated log (default 1,000,000 events; SAT_BENCH_MONGO_EVENTS
 *    for another size) into the test server, verified: time and peak RSS of the migrating process
 *    (the built `sat`, its VmHWM read from /proc), against 10 minutes and 250 MiB; beside it, the
 *    same run's SQLite ingest of the same log (`sat rebuild` in a child process).
 * 2. Two machines at once: two `sat ingest` processes (SAT_MACHINE a and b), each with sessions of
 *    its own plus some shared ones, into one database; their events per second, and whether every
 *    answer equals a SQLite store of the union of both logs (nothing lost, nothing counted twice).
 *
 * The test server (a child process of its own) keeps everything in memory and answers on the same cores,
 * so the figures say what `sat` costs, not what Atlas does (see docs/MIGRATION_GUIDE.md).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSessions } from '@sat/core';
import { plantedHistory } from '@sat/core/fixtures';
import type { AnalyticsQuery } from '@sat/core/projections';
import { openMongoStore } from '@sat/store-mongo';
import { openSqliteStore } from '@sat/store-sqlite';
import {
  buildCli,
  formatNumber,
  heading,
  note,
  report,
  startFixture,
  TSX_EXEC_ARGV,
  toMiB,
  withTempDir,
  writeHistory,
} from './lib.ts';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench's size flag; `pnpm bench` runs node, not a turbo task
const EVENTS = Number(process.env.SAT_BENCH_MONGO_EVENTS ?? 1_000_000);
const PER_SESSION = 1000;
const SESSIONS = Math.max(1, Math.round(EVENTS / PER_SESSION));

interface Measured {
  code: number | null;
  ms: number;
  /** Peak resident memory of the child (VmHWM), bytes. */
  peakRss: number;
  stdout: string;
  stderr: string;
}

function vmHwm(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the built `sat` with `args`, timing it and reading its peak RSS until it exits. */
function runSat(bin: string, args: string[], env: Record<string, string>): Promise<Measured> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let peakRss = 0;
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const poll = setInterval(() => (peakRss = Math.max(peakRss, vmHwm(child.pid!))), 50);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearInterval(poll);
      done({ code, ms: performance.now() - started, peakRss, stdout, stderr });
    }),
  );
}

function must(run: Measured, what: string): Measured {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  return run;
}

async function migration(bin: string, dir: string, url: string): Promise<void> {
  heading(`sat migrate --to mongo: ${formatNumber(EVENTS)} events into the test server, verified`);
  const home = join(dir, 'migrate');
  const history = plantedHistory({ seed: 1, sessions: SESSIONS, eventsPerSession: PER_SESSION });
  const events = await writeHistory(join(home, 'logs'), history);
  note(
    `${formatNumber(events)} events in ${SESSIONS} sessions${EVENTS < 1_000_000 ? ` (SAT_BENCH_MONGO_EVENTS=${EVENTS}: smaller than the 1M of the target)` : ''}`,
  );
  const env = { SAT_HOME: home, HOME: dir, CLAUDE_PROJECT_DIR: dir };
  const sqlite = must(await runSat(bin, ['rebuild', '--json'], env), 'sat rebuild');
  report('SQLite ingest of the log (sat rebuild)', sqlite.ms / 1000, 's');
  report('SQLite ingest rate', events / (sqlite.ms / 1000), 'events/s');
  report('SQLite ingest peak RSS', toMiB(sqlite.peakRss), 'MiB');
  const args = ['migrate', '--to', 'mongo', '--url', url, '--database', 'bench', '--yes', '--json'];
  const migrate = must(await runSat(bin, args, env), 'sat migrate');
  const result = JSON.parse(migrate.stdout);
  if (!result.ok || result.copied.applied !== events)
    throw new Error(`sat migrate did not verify: ${JSON.stringify(result.differences?.slice(0, 3))}`);
  const { counts, sampledSessions, queries } = result.verification;
  note(
    `verified ${counts.length} counts, ${sampledSessions} sessions field by field, ${queries} query answers: all equal`,
  );
  report('migrate: time, copy and verification', migrate.ms / 1000, 's', { op: '<=', value: 600 });
  report('migrate: copy rate into the test server', events / (result.copied.ms / 1000), 'events/s');
  report('migrate: verification', (migrate.ms - result.copied.ms) / 1000, 's');
  report('migrate: peak RSS of the migrating process', toMiB(migrate.peakRss), 'MiB', {
    op: '<=',
    value: 250,
  });
}

/** Copies sessions' logs byte for byte (the same event ids: a transcript imported on both machines). */
async function copySessions(
  from: string,
  to: string,
  sessions: ReadonlyArray<{ session: string }>,
): Promise<void> {
  const wanted = new Set(sessions.map((s) => s.session));
  for (const info of await listSessions(from))
    if (wanted.has(info.session)) {
      const target = join(to, relative(from, info.file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(info.file, target);
    }
}

async function union(dir: string, logs: string[], url: string): Promise<string[]> {
  const reports = ['agentPerformance', 'toolEffectiveness', 'errorPatterns', 'costAnalysis'] as const;
  const sqlite = await openSqliteStore({ file: join(dir, 'union.db'), logsDir: logs[0]! });
  const mongo = await openMongoStore({
    url,
    database: 'team',
    machine: 'reader',
    user: 'bench',
    logsDir: dir,
  });
  const differing: string[] = [];
  try {
    for (const logsDir of logs) await sqlite.ingestLog(logsDir);
    const query: AnalyticsQuery = { days: 'all' };
    for (const name of reports)
      if (JSON.stringify(await sqlite[name](query)) !== JSON.stringify(await mongo[name](query)))
        differing.push(name);
  } finally {
    await sqlite.close();
    await mongo.close();
  }
  return differing;
}

async function twoMachines(bin: string, dir: string, url: string): Promise<void> {
  const own = Math.max(2, Math.round(SESSIONS / 10));
  const shared = Math.max(1, Math.round(SESSIONS / 50));
  heading(`two machines at once: ${own} sessions each of their own, ${shared} shared, into one database`);
  const history = plantedHistory({ seed: 2, sessions: 2 * own + shared, eventsPerSession: PER_SESSION });
  const part = (from: number, to: number) => ({
    sessions: history.sessions.slice(from, to),
    events: history.events,
  });
  const homes = { a: join(dir, 'machine-a'), b: join(dir, 'machine-b') };
  const sharedPart = part(2 * own, 2 * own + shared);
  const ownA = await writeHistory(join(homes.a, 'logs'), part(0, own));
  const ownB = await writeHistory(join(homes.b, 'logs'), part(own, 2 * own));
  const both = await writeHistory(join(homes.a, 'logs'), sharedPart);
  await copySessions(join(homes.a, 'logs'), join(homes.b, 'logs'), sharedPart.sessions);
  const env = (machine: 'a' | 'b') => ({
    SAT_HOME: homes[machine],
    HOME: dir,
    CLAUDE_PROJECT_DIR: dir,
    SAT_STORE: 'mongo',
    SAT_MONGO_URL: url,
    SAT_MONGO_DATABASE: 'team',
    SAT_MACHINE: machine,
  });
  const started = performance.now();
  const [a, b] = await Promise.all([runSat(bin, ['ingest'], env('a')), runSat(bin, ['ingest'], env('b'))]);
  const ms = performance.now() - started;
  for (const [name, run] of [
    ['a', a],
    ['b', b],
  ] as const) {
    must(run, `sat ingest on machine ${name}`);
    if (run.stderr.includes('warning')) throw new Error(`machine ${name}: ${run.stderr}`);
  }
  const sent = ownA + ownB + 2 * both;
  report('two machines: events sent per second (both together)', sent / (ms / 1000), 'events/s');
  report('two machines: wall time', ms / 1000, 's');
  const differing = await union(dir, [join(homes.a, 'logs'), join(homes.b, 'logs')], url);
  note(
    `${formatNumber(ownA + ownB + both)} distinct events (${formatNumber(both)} in shared sessions, sent by both)`,
  );
  report('two machines: answers differing from a SQLite store of the union', differing.length, 'reports', {
    op: '==',
    value: 0,
  });
  if (differing.length > 0) note(`differing: ${differing.join(', ')}`);
}

type ServerMessage = { url: string } | { peakRss: number };

const bin = buildCli();
await withTempDir('sat-bench-mongo-', async (dir) => {
  const server = startFixture<ServerMessage>(
    fileURLToPath(new URL('./fixtures/mongo-server-child.ts', import.meta.url)),
    [],
    { execArgv: [...TSX_EXEC_ARGV, '--max-old-space-size=12288'] },
  );
  const { url } = (await server.waitFor((m) => 'url' in m)) as { url: string };
  try {
    await migration(bin, dir, url);
    await twoMachines(bin, dir, url);
  } finally {
    server.send('stop');
    const stopped = (await server.waitFor((m) => 'peakRss' in m)) as { peakRss: number };
    note(
      `the test server's own peak RSS (its process, everything in memory): ${formatNumber(toMiB(stopped.peakRss))} MiB`,
    );
    await server.exited;
  }
});
