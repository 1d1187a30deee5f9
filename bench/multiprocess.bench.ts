/**
 * Many processes, one session: 16 child processes each append 10,000 events with their own
 * EventWriter to the same log at the same time. Reports the aggregate rate, then checks the
 * log: nothing lost, torn, duplicated or out of sequence.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSessionEvents, sessionLogFiles } from '@sat/core';
import type { ChildDone, ChildMessage } from './fixtures/multiprocess-child.ts';
import {
  type Fixture,
  formatBytes,
  formatNumber,
  heading,
  note,
  report,
  startFixture,
  withTempDir,
} from './lib.ts';

const WRITERS = 16;
const EVENTS_PER_WRITER = 10_000;
/** Events a child appends between two turns of its event loop (each turn lets its writer flush). */
const BATCH = 100;
const SESSION = 'bench-multiprocess';
const CHILD = fileURLToPath(new URL('./fixtures/multiprocess-child.ts', import.meta.url));

interface LogCheck {
  lines: number;
  torn: number;
  events: number;
  uniqueIds: number;
  seqOutOfPlace: number;
  duplicates: number;
  lost: number;
  perWriter: number[];
  /** Times the writer changes from one line to the next: how finely the batches interleaved. */
  switches: number;
}

/** Parses every line of the log as written, independently of the reader. */
function checkLog(file: string): LogCheck {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // A complete log ends with a newline, so the last piece is empty; anything else is torn.
  const tail = lines.pop();
  let torn = tail === '' ? 0 : 1;
  const ids = new Set<string>();
  const seen = new Set<number>();
  const perWriter = new Array<number>(WRITERS).fill(0);
  let events = 0;
  let seqOutOfPlace = 0;
  let duplicates = 0;
  let switches = 0;
  let previous = -1;
  for (const line of lines) {
    let event: { id: string; seq: number; meta: { writer: number; n: number } };
    try {
      event = JSON.parse(line);
    } catch {
      torn++;
      continue;
    }
    events++;
    if (event.seq !== events) seqOutOfPlace++;
    ids.add(event.id);
    const { writer, n } = event.meta;
    const key = writer * EVENTS_PER_WRITER + n;
    if (seen.has(key)) duplicates++;
    else {
      seen.add(key);
      perWriter[writer] = (perWriter[writer] ?? 0) + 1;
    }
    if (previous !== -1 && writer !== previous) switches++;
    previous = writer;
  }
  return {
    lines: lines.length,
    torn,
    events,
    uniqueIds: ids.size,
    seqOutOfPlace,
    duplicates,
    lost: WRITERS * EVENTS_PER_WRITER - seen.size,
    perWriter,
    switches,
  };
}

async function run(logsDir: string): Promise<void> {
  const total = WRITERS * EVENTS_PER_WRITER;
  heading(
    `${WRITERS} processes x ${formatNumber(EVENTS_PER_WRITER)} events into one session (batches of ${BATCH})`,
  );
  const spawnedAt = performance.now();
  const children: Array<Fixture<ChildMessage>> = [];
  for (let writer = 0; writer < WRITERS; writer++) {
    children.push(
      startFixture<ChildMessage>(CHILD, [
        logsDir,
        SESSION,
        String(writer),
        String(EVENTS_PER_WRITER),
        String(BATCH),
      ]),
    );
  }
  // Process start-up (node + tsx + module loading, ~0.5 s of CPU each) is kept out of the timed
  // part: every child loads and generates its events first, then all start together.
  await Promise.all(children.map((child) => child.waitFor((m) => m.kind === 'ready')));
  const start = performance.now();
  for (const child of children) child.send('go');
  const done = (await Promise.all(
    children.map((child) => child.waitFor((m) => m.kind === 'done')),
  )) as ChildDone[];
  const wallMs = performance.now() - start;
  await Promise.all(children.map((child) => child.exited));
  const slowest = Math.max(...done.map((m) => m.ms));
  const writes = done.reduce((sum, m) => sum + m.writes, 0);
  const attempts = done.reduce((sum, m) => sum + m.lockAttempts, 0);
  note(
    `start-up of all children ${((start - spawnedAt) / 1e3).toFixed(2)} s (not timed); slowest child ${(slowest / 1e3).toFixed(2)} s`,
  );
  report('multiprocess wall time', wallMs / 1e3, 's');
  report('multiprocess aggregate rate', total / (wallMs / 1e3), 'events/s');
  note(
    `${formatNumber(writes)} locked writes (${formatNumber(total / writes)} events each), ${formatNumber(attempts)} attempts to take the lock`,
  );
  report('lock attempts per locked write', attempts / writes, 'attempts');

  heading('multiprocess log check');
  const file = sessionLogFiles(logsDir, SESSION).plain;
  const check = checkLog(file);
  let readerEvents = 0;
  let readerIssues = 0;
  for await (const _ of readSessionEvents(logsDir, SESSION, { onIssue: () => readerIssues++ }))
    readerEvents++;
  note(
    `per-writer counts ${Math.min(...check.perWriter)}..${Math.max(...check.perWriter)}; ${formatBytes(readFileSync(file).length)}, ${formatNumber(check.lines)} lines; writer changed ${formatNumber(check.switches)} times along the log; readSessionEvents: ${formatNumber(readerEvents)} events, ${readerIssues} issues`,
  );
  report('total events', check.events, 'events', { op: '==', value: total });
  report('unique ids', check.uniqueIds, 'ids', { op: '==', value: total });
  report('seq out of place (gapless 1..N)', check.seqOutOfPlace, 'events', { op: '==', value: 0 });
  report('unparsed lines', check.lines - check.events, 'lines', { op: '==', value: 0 });
  report(
    'writers with != 10,000 events',
    check.perWriter.filter((n) => n !== EVENTS_PER_WRITER).length,
    'writers',
    {
      op: '==',
      value: 0,
    },
  );
  report('lost', check.lost, 'events', { op: '==', value: 0 });
  report('torn', check.torn, 'lines', { op: '==', value: 0 });
  report('duplicates', check.duplicates, 'events', { op: '==', value: 0 });
  report('reader events (readSessionEvents)', readerEvents, 'events', { op: '==', value: total });
  report('reader issues', readerIssues, 'issues', { op: '==', value: 0 });
}

await withTempDir('sat-bench-multiprocess-', run);
