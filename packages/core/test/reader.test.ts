import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  closeSessionLog,
  EventWriter,
  followSessionEvents,
  Quarantine,
  readAllEvents,
  sessionLogFiles,
} from '../src/index.js';
import { readAll, seqsAreGapless, tempDir } from './helpers.js';

async function writeSession(logsDir: string, session: string, count: number): Promise<void> {
  const writer = new EventWriter({ logsDir });
  for (let i = 0; i < count; i++)
    writer.append({ type: 'error', session, data: { error_type: 'E', message: `m${i}` } });
  await writer.close();
}

describe('reading a log', () => {
  it('reports a corrupt line in the middle with file and byte offset, quarantines it once and reads on', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 3);
    const file = sessionLogFiles(logsDir, 's').plain;
    const lines = readFileSync(file, 'utf8').split('\n');
    const garbage = '{"id":"x", this is not json';
    const text = [lines[0], garbage, lines[1], lines[2], ''].join('\n');
    writeFileSync(file, text);
    const { events, issues } = await readAll(logsDir, 's');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      kind: 'corrupt-line',
      file,
      offset: lines[0]!.length + 1,
      line: 2,
      quarantined: true,
    });
    expect(issues[0]!.message).toContain('not valid JSON');
    const again = await readAll(logsDir, 's');
    expect(again.issues[0]!.quarantined).toBe(false);
    const entries = new Quarantine(sessionLogFiles(logsDir, 's').quarantine).entries();
    expect(entries).toEqual([
      expect.objectContaining({ offset: lines[0]!.length + 1, line: 2, raw: garbage, encoding: 'utf8' }),
    ]);
  });

  it('sets aside lines that parse but are not valid events, and keeps binary garbage as base64', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 1);
    const file = sessionLogFiles(logsDir, 's').plain;
    appendFileSync(
      file,
      '{"id":"y","session":"s","seq":2,"ts":"2026-01-01T00:00:00Z","type":"error","agent":"main","v":1,"data":{}}\n',
    );
    appendFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
    const { events, issues } = await readAll(logsDir, 's');
    expect(events).toHaveLength(1);
    expect(issues.map((i) => i.kind)).toEqual(['invalid-event', 'corrupt-line']);
    expect(issues[0]!.message).toContain('data.error_type is required');
    const entries = new Quarantine(sessionLogFiles(logsDir, 's').quarantine).entries();
    expect(entries[1]).toMatchObject({
      encoding: 'base64',
      raw: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'),
    });
  });

  it('reads a line written twice once, and reports the duplicate', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 3);
    const file = sessionLogFiles(logsDir, 's').plain;
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [lines[0], lines[1], lines[1], lines[2], ''].join('\n'));
    const { events, issues } = await readAll(logsDir, 's');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(issues).toEqual([
      expect.objectContaining({ kind: 'seq-gap', message: 'expected seq 3, found 2 (a duplicate: skipped)' }),
    ]);
  });

  it('reads a closed (compressed) session exactly as it was', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 50);
    const before = await readAll(logsDir, 's');
    await closeSessionLog(logsDir, 's');
    const after = await readAll(logsDir, 's');
    expect(after.events).toEqual(before.events);
    expect(after.issues).toEqual([]);
  });

  it('reports a corrupt compressed log (a flipped byte, or cut short) and keeps what it could read', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 2000);
    await closeSessionLog(logsDir, 's');
    const gz = sessionLogFiles(logsDir, 's').compressed;
    const good = readFileSync(gz);

    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    writeFileSync(gz, flipped);
    const a = await readAll(logsDir, 's');
    expect(a.issues.some((i) => i.kind === 'corrupt-compressed' && i.file === gz)).toBe(true);
    expect(a.events.length).toBeLessThan(2000);
    expect(seqsAreGapless(a.events)).toBe(true);

    writeFileSync(gz, good.subarray(0, good.length - 100));
    const b = await readAll(logsDir, 's');
    expect(b.issues.map((i) => i.kind)).toContain('corrupt-compressed');
    expect(b.issues.find((i) => i.kind === 'corrupt-compressed')!.message).toContain('cannot decompress');
  });

  it('streams all sessions, oldest first', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    writer.append({
      type: 'decision',
      session: 'b',
      ts: '2026-01-02T00:00:00.000Z',
      data: { question: 'q', selected: 'b' },
    });
    writer.append({
      type: 'decision',
      session: 'a',
      ts: '2026-01-03T00:00:00.000Z',
      data: { question: 'q', selected: 'a' },
    });
    writer.append({
      type: 'decision',
      session: 'b',
      ts: '2026-01-04T00:00:00.000Z',
      data: { question: 'q', selected: 'b2' },
    });
    await writer.close();
    const seen: string[] = [];
    for await (const event of readAllEvents(logsDir)) seen.push(`${event.session}${event.seq}`);
    expect(seen).toEqual(['b1', 'b2', 'a1']);
  });

  it('reads in constant memory: a line larger than the limit is cut and set aside, not buffered whole', async () => {
    const { splitLines } = await import('../src/log/line-splitter.js');
    async function* chunks() {
      yield Buffer.from('{"a":1}\n');
      for (let i = 0; i < 10; i++) yield Buffer.alloc(1000, 0x61);
      yield Buffer.from('\n{"b":2}\n');
    }
    const lines = [];
    for await (const line of splitLines(chunks(), 4096)) lines.push(line);
    expect(lines.map((l) => [l.offset, l.line, l.bytes.length, Boolean(l.oversized)])).toEqual([
      [0, 1, 7, false],
      [8, 2, 4096, true],
      [10009, 3, 7, false],
    ]);
  });
});

describe('following a live session', () => {
  it('prints events as they are appended and stops at the end event', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    writer.append({ type: 'session_start', session: 'live', data: {} });
    await writer.flush();
    const seen: string[] = [];
    const done = (async () => {
      for await (const event of followSessionEvents(logsDir, 'live', { pollMs: 10 })) seen.push(event.type);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.append({ type: 'decision', session: 'live', data: { question: 'q', selected: 'a' } });
    await writer.flush();
    // A half-written line is not shown until it is complete.
    appendFileSync(sessionLogFiles(logsDir, 'live').plain, '{"id":"partial');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['session_start', 'decision']);
    writeFileSync(
      sessionLogFiles(logsDir, 'live').plain,
      readFileSync(sessionLogFiles(logsDir, 'live').plain, 'utf8').replace('{"id":"partial', ''),
    );
    writer.append({ type: 'session_end', session: 'live', data: {} });
    await writer.close();
    await done;
    expect(seen).toEqual(['session_start', 'decision', 'session_end']);
  });

  it('stops when aborted', async () => {
    const logsDir = tempDir();
    await writeSession(logsDir, 's', 2);
    const controller = new AbortController();
    const seen: number[] = [];
    setTimeout(() => controller.abort(), 60);
    for await (const event of followSessionEvents(logsDir, 's', { pollMs: 10, signal: controller.signal }))
      seen.push(event.seq);
    expect(seen).toEqual([1, 2]);
  });
});
