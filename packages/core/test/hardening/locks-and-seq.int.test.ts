import type { ChildProcess } from 'node:child_process';
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
import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  EventWriter,
  FileLock,
  ingestHookSpool,
  type ReadIssue,
  readSessionEvents,
  sessionLogFiles,
  spoolDir,
} from '../../src/index.js';
import { readAll, seqsAreGapless, spawnTs, tempDir } from '../helpers.js';

const here = (name: string) => join(import.meta.dirname, 'fixtures', name);

async function read(logsDir: string, session: string, fromSeq?: number) {
  const events: AnySatEvent[] = [];
  const issues: ReadIssue[] = [];
  for await (const event of readSessionEvents(logsDir, session, { fromSeq, onIssue: (i) => issues.push(i) }))
    events.push(event);
  return { events, issues };
}

/** Lines of a log whose events 2 and 3 were numbered again by a second writer (new ids). */
async function logWithReusedSeqs(logsDir: string): Promise<string[]> {
  const writer = new EventWriter({ logsDir });
  for (let n = 0; n < 3; n++) writer.append({ type: 'turn_end', session: 's', data: {}, meta: { n } });
  await writer.close();
  const file = sessionLogFiles(logsDir, 's').plain;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const reused = [1, 2].map((i) => {
    const event = JSON.parse(lines[i]!);
    return JSON.stringify({ ...event, id: `${event.id}-other`, meta: { n: 10 + i } });
  });
  return [...lines, ...reused];
}

describe('reused seq numbers', () => {
  it('are read and reported as seq-reused; a true duplicate (same id) is skipped', async () => {
    const logsDir = tempDir();
    const lines = await logWithReusedSeqs(logsDir);
    const file = sessionLogFiles(logsDir, 's').plain;
    writeFileSync(file, `${[...lines, lines[4]].join('\n')}\n`);
    const { events, issues } = await read(logsDir, 's');
    expect(events.map((e) => [e.seq, (e.meta as { n: number }).n])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [2, 11],
      [3, 12],
    ]);
    expect(issues.map((i) => i.kind)).toEqual(['seq-reused', 'seq-reused', 'seq-gap']);
    expect(issues[2]!.message).toContain('a duplicate: skipped');
  });

  it('after a checkpoint by seq (fromSeq), events with reused seqs written later are not lost', async () => {
    const logsDir = tempDir();
    const lines = await logWithReusedSeqs(logsDir);
    const file = sessionLogFiles(logsDir, 's').plain;
    writeFileSync(file, `${lines.join('\n')}\n`);
    // A store applied seqs 1-3 (checkpoint 3) before the second writer's events landed.
    const { events } = await read(logsDir, 's', 4);
    expect(events.map((e) => (e.meta as { n: number }).n)).toEqual([11, 12]);
  });
});

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(text)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before '${text}': ${out}`)));
  });
}

async function stopped(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the child never stopped');
}

describe('a writer stopped while it holds the lock', () => {
  it('notices it lost the lock before writing, and leaves the new holder its lock', async (ctx) => {
    if (!existsSync('/proc/self/stat')) ctx.skip('needs /proc to see the child stopped');
    const logsDir = tempDir();
    const child = spawnTs(here('paused-writer.ts'), [logsDir, 's']);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor(child, 'ready');
    const mine = new EventWriter({ logsDir });
    const append = (n: number) =>
      mine.append({ type: 'turn_end', session: 's', agent: 'parent', data: {}, meta: { n } });
    for (let n = 0; n < 10; n++) append(n);
    await mine.flush();
    const paused = waitFor(child, 'paused');
    writeFileSync(join(logsDir, 'go'), '');
    await paused;
    await stopped(child.pid!);
    // Its lock is taken from it (deleted: stale to someone, or removed by hand) while it is stopped.
    const lockPath = sessionLogFiles(logsDir, 's').lock;
    unlinkSync(lockPath);
    for (let n = 10; n < 110; n++) append(n);
    await mine.close();
    const held = new FileLock(lockPath);
    expect(held.tryAcquire()).toBe(true);
    process.kill(child.pid!, 'SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(held.holds()).toBe(true);
    held.release();
    expect(await exited, stderr).toBe(0);
    const { events, issues } = await readAll(logsDir, 's');
    expect(issues).toEqual([]);
    expect(events).toHaveLength(310);
    expect(seqsAreGapless(events)).toBe(true);
  }, 60_000);
});

describe('SIGKILLed ingests', () => {
  it('never write a payload twice into the raw copy', async () => {
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    const sessions = ['a1', 'b2', 'c3', 'd4'];
    const payloads = 800;
    for (let i = 0; i < payloads; i++) {
      const payload = {
        session_id: sessions[i % 4],
        hook_event_name: 'Notification',
        message: `m${i}`,
        pad: 'p'.repeat(2000),
      };
      writeFileSync(join(spool, `${1_780_000_000_000 + i}000000-1.json`), JSON.stringify(payload));
    }
    const rawBytes = () => {
      const dir = join(logsDir, 'raw');
      if (!existsSync(dir)) return 0;
      return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    };
    for (let kill = 0; kill < 6; kill++) {
      // Killed the moment its raw copies land: between them and the removal of the spool files.
      const before = rawBytes();
      const child = spawnTs(here('ingest-child.ts'), [logsDir]);
      let done = false;
      const exited = new Promise((resolve) => child.on('exit', resolve)).then(() => (done = true));
      while (!done && rawBytes() === before) await new Promise((resolve) => setTimeout(resolve, 1));
      child.kill('SIGKILL');
      await exited;
    }
    await ingestHookSpool({ logsDir });
    let lines = 0;
    let torn = 0;
    const names = new Set<string>();
    for (const file of readdirSync(join(logsDir, 'raw'))) {
      for (const line of readFileSync(join(logsDir, 'raw', file), 'utf8').split('\n')) {
        if (!line) continue;
        let parsed: { file: string };
        try {
          parsed = JSON.parse(line) as { file: string };
        } catch {
          torn++; // cut by a kill mid-append; that payload's copy is written again whole
          continue;
        }
        lines++;
        names.add(parsed.file);
      }
    }
    expect(names.size).toBe(payloads);
    expect(lines).toBe(payloads);
    expect(torn).toBeLessThanOrEqual(6);
    let events = 0;
    for (const session of sessions) events += (await readAll(logsDir, session)).events.length;
    expect(events).toBe(payloads);
  }, 120_000);
});
