/**
 * Faults: what survives a broken lock, killed ingests and a huge payload. Six writer processes
 * append 1,500 events each to one session while its lock file is deleted in a loop; an ingest
 * of 1,600 hook payloads is SIGKILLed 12 times, then run to the end; one 50 MB payload is
 * ingested. Prints the events written, read, lost, duplicated and hidden (on disk, but not
 * read), and the 50 MB ingest's time and peak RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestHookSpool, type ReadIssue, readSessionEvents, sessionLogFiles, spoolDir } from '@sat/core';
import { heading, note, report, TSX_EXEC_ARGV, toMiB, withTempDir } from './lib.ts';

const CHILD = fileURLToPath(new URL('./fixtures/faults-child.ts', import.meta.url));
const WRITERS = 6;
const PER_WRITER = 1_500;
const PAYLOADS = 1_600;
const KILLS = 12;

function child(args: string[]): {
  process: ChildProcess;
  exited: Promise<{ code: number | null; out: string }>;
} {
  const proc = spawn(process.execPath, [...TSX_EXEC_ARGV, CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  return {
    process: proc,
    exited: new Promise((resolve) => proc.on('close', (code) => resolve({ code, out }))),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function brokenLock(dir: string): Promise<void> {
  heading(`${WRITERS} writers x ${PER_WRITER} events, the lock file deleted in a loop`);
  const session = 'faults-lock';
  const lock = sessionLogFiles(dir, session).lock;
  let running = true;
  let deletions = 0;
  const vandal = (async () => {
    while (running) {
      try {
        unlinkSync(lock);
        deletions++;
      } catch {}
      await pause(1);
    }
  })();
  const writers = Array.from({ length: WRITERS }, (_, w) =>
    child(['write', dir, session, String(w), String(PER_WRITER)]),
  );
  const codes = await Promise.all(writers.map((w) => w.exited));
  running = false;
  await vandal;
  if (codes.some((c) => c.code !== 0)) throw new Error('a writer failed');
  const onDisk = new Set<string>();
  for (const line of readFileSync(sessionLogFiles(dir, session).plain, 'utf8').split('\n')) {
    try {
      const event = JSON.parse(line) as { meta: { writer: number; n: number } };
      onDisk.add(`${event.meta.writer}:${event.meta.n}`);
    } catch {}
  }
  const issues: ReadIssue[] = [];
  const seen = new Map<string, number>();
  let read = 0;
  for await (const event of readSessionEvents(dir, session, { onIssue: (i) => issues.push(i) })) {
    const { writer, n } = event.meta as { writer: number; n: number };
    seen.set(`${writer}:${n}`, (seen.get(`${writer}:${n}`) ?? 0) + 1);
    read++;
  }
  const written = WRITERS * PER_WRITER;
  note(
    `${deletions} lock deletions; ${issues.filter((i) => i.kind === 'seq-reused').length} events with a reused seq (read, reported as seq-reused)`,
  );
  report('lock: events written', written, 'events');
  report('lock: events read', read, 'events', { op: '==', value: written });
  report('lock: events lost', written - onDisk.size, 'events', { op: '==', value: 0 });
  report('lock: events duplicated', [...seen.values()].filter((c) => c > 1).length, 'events', {
    op: '==',
    value: 0,
  });
  report('lock: events hidden', [...onDisk].filter((k) => !seen.has(k)).length, 'events', {
    op: '==',
    value: 0,
  });
}

function rawCopies(logsDir: string): { lines: number; names: Set<string>; torn: number } {
  const result = { lines: 0, names: new Set<string>(), torn: 0 };
  const dir = join(logsDir, 'raw');
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        result.names.add((JSON.parse(line) as { file: string }).file);
        result.lines++;
      } catch {
        result.torn++;
      }
    }
  }
  return result;
}

async function killedIngests(dir: string): Promise<void> {
  heading(`${KILLS} SIGKILLed ingests of ${PAYLOADS} hook payloads`);
  const logsDir = join(dir, 'logs');
  const spool = spoolDir(logsDir);
  mkdirSync(spool, { recursive: true });
  const sessions = ['k1', 'k2', 'k3', 'k4'];
  for (let i = 0; i < PAYLOADS; i++) {
    const payload = { session_id: sessions[i % 4], hook_event_name: 'Notification', message: `m${i}` };
    writeFileSync(join(spool, `${1_780_000_000_000 + i}000000-1.json`), JSON.stringify(payload));
  }
  const rawBytes = () => {
    const raw = join(logsDir, 'raw');
    return existsSync(raw) ? readdirSync(raw).reduce((sum, f) => sum + statSync(join(raw, f)).size, 0) : 0;
  };
  for (let kill = 0; kill < KILLS; kill++) {
    const before = rawBytes();
    const run = child(['ingest', logsDir]);
    let done = false;
    void run.exited.then(() => (done = true));
    // Alternately killed at a random time and the moment its raw copies land.
    const deadline = Date.now() + (kill % 2 === 0 ? 200 + Math.random() * 600 : 10_000);
    while (!done && Date.now() < deadline && (kill % 2 === 0 || rawBytes() === before)) await pause(1);
    run.process.kill('SIGKILL');
    await run.exited;
  }
  await ingestHookSpool({ logsDir });
  const raw = rawCopies(logsDir);
  let read = 0;
  const ids = new Set<string>();
  for (const session of sessions)
    for await (const event of readSessionEvents(logsDir, session)) {
      read++;
      ids.add(event.id);
    }
  note(`raw copies: ${raw.lines} whole lines for ${raw.names.size} payloads, ${raw.torn} torn by a kill`);
  report('ingest: payloads written', PAYLOADS, 'payloads');
  report('ingest: events read', read, 'events', { op: '==', value: PAYLOADS });
  report('ingest: events lost', PAYLOADS - ids.size, 'events', { op: '==', value: 0 });
  report('ingest: events duplicated', read - ids.size, 'events', { op: '==', value: 0 });
  report('ingest: raw copies duplicated', raw.lines - raw.names.size, 'lines', { op: '==', value: 0 });
  report('ingest: raw copies lost', PAYLOADS - raw.names.size, 'payloads', { op: '==', value: 0 });
}

async function hugePayload(dir: string): Promise<void> {
  heading('one 50 MB hook payload');
  const logsDir = join(dir, 'logs');
  const spool = spoolDir(logsDir);
  mkdirSync(spool, { recursive: true });
  const text = `{"session_id":"huge-1","hook_event_name":"PostToolUse","tool_name":"Read","tool_input":{"file_path":"/big"},"tool_response":"${'z'.repeat(50_000_000)}","tool_use_id":"toolu_huge"}`;
  writeFileSync(join(spool, '1780000000000000000-1.json'), text);
  const { code, out } = await child(['ingest', logsDir]).exited;
  if (code !== 0) throw new Error('the ingest failed');
  const { ms, peakRssBytes } = JSON.parse(out) as { ms: number; peakRssBytes: number };
  report('50 MB payload: ingest time', ms, 'ms', { op: '<=', value: 2000 });
  report('50 MB payload: peak RSS', toMiB(peakRssBytes), 'MiB', { op: '<=', value: 200 });
}

await withTempDir('sat-bench-faults-', brokenLock);
await withTempDir('sat-bench-faults-', killedIngests);
await withTempDir('sat-bench-faults-', hugePayload);
