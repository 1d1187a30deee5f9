/**
 * The append-only log: caller-visible append latency, sustained write throughput, peak memory
 * while writing 1M events, a full read-back of those events, and their compression on close.
 */
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeSessionLog, EventWriter, readSessionEvents, sessionLogFiles } from '@sat/core';
import { realisticEvents } from '@sat/core/fixtures';
import type { WriteEventsReport } from './fixtures/write-events-child.ts';
import {
  bundleForNode,
  collectGarbage,
  formatBytes,
  formatNumber,
  heading,
  makeTempDir,
  note,
  removeTempDir,
  report,
  runFixture,
  stats,
  toMiB,
  withTempDir,
  yieldToLoop,
} from './lib.ts';

const LATENCY_APPENDS = 200_000;
const LATENCY_WARMUP = 20_000;
/** Appends between two turns of the event loop in the latency run. */
const LATENCY_BATCH = 1_000;
const SUSTAINED_EVENTS = 1_000_000;
const SESSION = 'bench-log-append';
const WRITE_CHILD = fileURLToPath(new URL('./fixtures/write-events-child.ts', import.meta.url));

/** Mean cost of one `process.hrtime.bigint()` pair, in ns: the floor of every latency sample. */
function timerOverheadNs(): number {
  const rounds = 100_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    if (process.hrtime.bigint() < t0) throw new Error('clock went backwards');
  }
  return Number(process.hrtime.bigint() - start) / rounds;
}

async function appendLatency(): Promise<void> {
  heading(`append() latency: ${formatNumber(LATENCY_APPENDS)} realistic events, caller-visible`);
  await withTempDir('sat-bench-latency-', async (logsDir) => {
    // Generated up front so that only append() itself is timed.
    const events = [...realisticEvents({ session: SESSION, seed: 7 }, LATENCY_WARMUP + LATENCY_APPENDS)];
    const writer = new EventWriter({ logsDir });
    const samples = new Float64Array(LATENCY_APPENDS);
    // Every LATENCY_BATCH appends the loop awaits one setImmediate. The writer scheduled its
    // flush as a setImmediate at the batch's first append, so that flush (the locked write() of
    // ~270 KB) runs in this gap, as it would between the hook calls of a real agent. The gap is
    // not timed: only the synchronous append() call the caller waits for is. The pending bytes
    // never reach highWaterBytes (8 MiB), so no synchronous flush lands inside a timed call.
    // The first LATENCY_WARMUP appends warm the JIT and are not recorded.
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (i < LATENCY_WARMUP) {
        writer.append(event);
      } else {
        const t0 = process.hrtime.bigint();
        writer.append(event);
        samples[i - LATENCY_WARMUP] = Number(process.hrtime.bigint() - t0);
      }
      if ((i + 1) % LATENCY_BATCH === 0) await yieldToLoop();
      if (i + 1 === LATENCY_WARMUP) collectGarbage();
    }
    await writer.close();
    const s = stats(samples);
    note(`timer overhead (hrtime.bigint pair): ${timerOverheadNs().toFixed(0)} ns per sample, included`);
    note(
      `p50 ${(s.p50 / 1e3).toFixed(2)} µs, p90 ${(s.p90 / 1e3).toFixed(2)} µs, p99.9 ${(s.p999 / 1e3).toFixed(2)} µs, max ${(s.max / 1e3).toFixed(0)} µs`,
    );
    report('append mean', s.mean / 1e3, 'µs');
    report('append p99', s.p99 / 1e3, 'µs', { op: '<=', value: 20 });
  });
}

async function writeInChild(logsDir: string, execArgv?: readonly string[], entry = WRITE_CHILD, mode = '') {
  const [result] = await runFixture<WriteEventsReport>(
    entry,
    [logsDir, SESSION, String(SUSTAINED_EVENTS), ...(mode ? [mode] : [])],
    execArgv ? { execArgv } : {},
  );
  if (!result) throw new Error('the write child sent no report');
  return result;
}

async function sustainedThroughput(logsDir: string): Promise<WriteEventsReport> {
  heading(
    `sustained write: ${formatNumber(SUSTAINED_EVENTS)} events to disk, close() included (fresh child)`,
  );
  const r = await writeInChild(logsDir);
  const rate = r.events / (r.writeMs / 1e3);
  note(
    `${formatBytes(r.fileBytes)} written (${(r.fileBytes / r.events).toFixed(0)} bytes/event); write ${(r.writeMs / 1e3).toFixed(2)} s, generation ${(r.generateMs / 1e3).toFixed(2)} s (excluded)`,
  );
  report('sustained write rate', rate, 'events/s', { op: '>=', value: 250_000 });
  report('sustained write bandwidth', toMiB(r.fileBytes) / (r.writeMs / 1e3), 'MiB/s');
  report('write rate incl. generation', r.events / (r.wallMs / 1e3), 'events/s');
  note(
    `memory under tsx: baseline ${formatBytes(r.baselineRss)} before writing (tsx's loader thread included), peak ${formatBytes(r.peakSampled)} (V8 heap ${formatBytes(r.heapTotalAtPeak)}), peak (VmHWM) ${formatBytes(r.maxRss)}`,
  );
  report('peak RSS under tsx', toMiB(Math.max(r.maxRss, r.peakSampled)), 'MiB');
  report('RSS growth while writing', toMiB(r.peakSampled - r.baselineRss), 'MiB');
  return r;
}

async function peakMemory(): Promise<void> {
  heading(`peak RSS writing ${formatNumber(SUSTAINED_EVENTS)} events: fresh child, bundled JS on plain node`);
  // tsx's loader thread alone adds ~50 MiB to every process, which production (the built JS)
  // does not have; so the target is checked on the same child bundled with tsup.
  const outDir = makeTempDir('sat-bench-bundle-');
  const logsDir = makeTempDir('sat-bench-rss-');
  try {
    const bundle = await bundleForNode(WRITE_CHILD, outDir);
    // The writer's own footprint: the producer reuses 1,000 realistic events.
    const writer = await writeInChild(logsDir, [], bundle, 'pool');
    note(
      `writer (producer reuses 1,000 events): baseline ${formatBytes(writer.baselineRss)}, sampled peak ${formatBytes(writer.peakSampled)} (V8 heap ${formatBytes(writer.heapTotalAtPeak)}), peak (VmHWM) ${formatBytes(writer.maxRss)}, ${formatNumber(writer.events / (writer.writeMs / 1e3))} events/s`,
    );
    report(
      'peak RSS writing 1M events (VmHWM, plain node)',
      toMiB(Math.max(writer.maxRss, writer.peakSampled)),
      'MiB',
      {
        op: '<=',
        value: 100,
      },
    );
    // The same with the producer generating all 1M events in the same process as it goes.
    rmSync(logsDir, { recursive: true, force: true });
    const r = await writeInChild(logsDir, [], bundle);
    note(
      `producer generating 1M events in the same process: baseline ${formatBytes(r.baselineRss)}, sampled peak ${formatBytes(r.peakSampled)} (V8 heap ${formatBytes(r.heapTotalAtPeak)}), peak (VmHWM) ${formatBytes(r.maxRss)}`,
    );
    report('peak RSS incl. generating the events (VmHWM)', toMiB(Math.max(r.maxRss, r.peakSampled)), 'MiB');
  } finally {
    removeTempDir(outDir);
    removeTempDir(logsDir);
  }
}

/** Line count of a file, and whether its last byte is a newline (read in 1 MiB blocks). */
function countLines(file: string): { lines: number; endsWithNewline: boolean } {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  let last = -1;
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      for (let at = buffer.indexOf(10); at !== -1 && at < read; at = buffer.indexOf(10, at + 1)) lines++;
      last = buffer[read - 1]!;
    }
  } finally {
    closeSync(fd);
  }
  return { lines, endsWithNewline: last === 10 };
}

async function verify(logsDir: string, expected: number): Promise<void> {
  heading(`read-back of the ${formatNumber(expected)}-event log (readSessionEvents)`);
  const start = performance.now();
  const raw = countLines(sessionLogFiles(logsDir, SESSION).plain);
  let issues = 0;
  let count = 0;
  let gaps = 0;
  const ids = new Set<string>();
  for await (const event of readSessionEvents(logsDir, SESSION, { onIssue: () => issues++ })) {
    count++;
    if (event.seq !== count) gaps++;
    ids.add(event.id);
  }
  const ms = performance.now() - start;
  note(
    `${formatNumber(raw.lines)} lines, last line ${raw.endsWithNewline ? 'complete' : 'TORN'}; read in ${(ms / 1e3).toFixed(2)} s (${formatNumber(count / (ms / 1e3))} events/s)`,
  );
  report('read-back events', count, 'events', { op: '==', value: expected });
  report('read-back unparsed lines + issues', raw.lines - count + issues, 'lines', { op: '==', value: 0 });
  report('read-back seq out of place (1..N)', gaps, 'events', { op: '==', value: 0 });
  report('read-back unique ids', ids.size, 'ids', { op: '==', value: expected });
}

async function compression(logsDir: string): Promise<void> {
  heading('compression: closeSessionLog (gzip level 9 + verify)');
  const start = performance.now();
  const result = await closeSessionLog(logsDir, SESSION);
  const ms = performance.now() - start;
  const saved = 100 * (1 - result.compressedBytes / result.plainBytes);
  note(
    `${formatBytes(result.plainBytes)} -> ${formatBytes(result.compressedBytes)} (${(result.plainBytes / result.compressedBytes).toFixed(1)}x), ${formatNumber(result.events)} events, ${result.badLines} bad lines`,
  );
  report('compression saving', saved, '%', { op: '>=', value: 85 });
  report('close (compress + verify) time', ms / 1e3, 's');
}

await appendLatency();
const logsDir = makeTempDir('sat-bench-sustained-');
try {
  const written = await sustainedThroughput(logsDir);
  await peakMemory();
  await verify(logsDir, written.events);
  await compression(logsDir);
} finally {
  removeTempDir(logsDir);
}
