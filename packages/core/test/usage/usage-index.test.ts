import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  closeSessionLog,
  DEFAULT_PRICES,
  EventWriter,
  LogMemo,
  LogsVersion,
  listSessions,
  logsFingerprint,
  type NewEvent,
  SessionInfoMemo,
  SessionUsageIndex,
  sessionLogFiles,
  sessionUsage,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

const response = (session: string, n: number, output: number): NewEvent => ({
  type: 'api_response',
  session,
  ts: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  data: {
    model: 'claude-sonnet-4-5',
    message_id: `msg_${session}_${n}`,
    tokens: { input: 10, output, cacheCreation: 0, cacheRead: 100 },
    source: 'transcript',
  },
});

async function write(logsDir: string, events: NewEvent[]): Promise<void> {
  const writer = new EventWriter({ logsDir });
  for (const event of events) writer.append(event);
  await writer.close();
}

describe('LogMemo: one value per log, reused while the log is unchanged', () => {
  it('reads again after an append and after closing, forgets a failed read and a missing log', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100)]);
    const memo = new LogMemo<number>(logsDir);
    let reads = 0;
    const count = async () => {
      reads++;
      return (await sessionUsage(logsDir, 's1')).tokens.output;
    };
    expect(await memo.get('s1', count)).toBe(100);
    expect(await memo.get('s1', count)).toBe(100);
    expect(reads).toBe(1);
    await write(logsDir, [response('s1', 2, 50)]);
    expect(await memo.get('s1', count)).toBe(150);
    expect(reads).toBe(2);
    await closeSessionLog(logsDir, 's1');
    expect(await memo.get('s1', count)).toBe(150);
    expect(reads).toBe(3);
    expect(await memo.get('s1', count)).toBe(150);
    expect(reads).toBe(3);
    const before = memo.generation;
    await expect(memo.get('s1', () => Promise.reject(new Error('disk')))).resolves.toBe(150);
    await expect(memo.get('nobody', () => Promise.resolve(7))).resolves.toBe(7);
    await expect(memo.get('nobody', () => Promise.resolve(8))).resolves.toBe(8);
    expect(memo.generation).toBe(before);
  });

  it('does not remember a read that failed', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100)]);
    const memo = new LogMemo<number>(logsDir);
    await expect(memo.get('s1', () => Promise.reject(new Error('torn')))).rejects.toThrow('torn');
    expect(await memo.get('s1', () => Promise.resolve(1))).toBe(1);
  });

  it('logsFingerprint changes on an append, a new session and a close', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100)]);
    const prints = [logsFingerprint(logsDir)];
    await write(logsDir, [response('s1', 2, 100)]);
    prints.push(logsFingerprint(logsDir));
    await write(logsDir, [response('s2', 1, 100)]);
    prints.push(logsFingerprint(logsDir));
    await closeSessionLog(logsDir, 's2');
    prints.push(logsFingerprint(logsDir));
    expect(new Set(prints).size).toBe(4);
    expect(logsFingerprint(logsDir)).toBe(prints[3]);
  });
});

describe('SessionUsageIndex: sessionUsage per session, saved between runs', () => {
  it('equals sessionUsage after appends, a torn last line, a close; a saved file is reused', async () => {
    const logsDir = tempDir();
    const file = join(tempDir(), 'state', 'session-usage.json');
    await write(logsDir, [response('s1', 1, 100), response('s2', 1, 10)]);
    const index = new SessionUsageIndex(logsDir, { file });
    expect(await index.usage('s1')).toEqual(await sessionUsage(logsDir, 's1'));
    expect(index.save()).toEqual({ saved: true });
    expect(index.save()).toEqual({ saved: false });

    const plain = sessionLogFiles(logsDir, 's1').plain;
    const event = JSON.parse(readFileSync(plain, 'utf8').trim().split('\n')[0]!);
    const line = JSON.stringify({
      ...event,
      id: '01a24e63-be4b-77fa-aa97-e717241e5fd9',
      seq: 2,
      data: { ...event.data, message_id: 'msg_s1_9' },
    });
    appendFileSync(plain, line.slice(0, 40));
    expect((await index.usage('s1')).tokens.output).toBe(100);
    appendFileSync(plain, `${line.slice(40)}\n`);
    const completed = await sessionUsage(logsDir, 's1');
    expect(completed.tokens.output).toBe(200);
    expect(await index.usage('s1')).toEqual(completed);

    await closeSessionLog(logsDir, 's1');
    expect(await index.usage('s1')).toEqual(await sessionUsage(logsDir, 's1'));
    index.save();

    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.sessions.s1.value.tokens.output = 4242;
    writeFileSync(file, JSON.stringify(saved));
    const reloaded = new SessionUsageIndex(logsDir, { file });
    expect((await reloaded.usage('s1')).tokens.output).toBe(4242);
    expect((await reloaded.usage('s2')).tokens.output).toBe(10);
  });

  it('ignores a corrupt file or one priced with another table, and keeps only listed sessions', async () => {
    const logsDir = tempDir();
    const file = join(tempDir(), 'session-usage.json');
    await write(logsDir, [response('s1', 1, 100)]);
    writeFileSync(file, '{"version":1,"prices":');
    const index = new SessionUsageIndex(logsDir, { file });
    expect((await index.usage('s1')).tokens.output).toBe(100);
    index.save();
    const free = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
    const prices = {
      ...DEFAULT_PRICES,
      'claude-sonnet-4-5': { ...DEFAULT_PRICES['claude-sonnet-4-5']!, ...free },
    };
    expect((await index.usage('s1')).cost).toBeGreaterThan(0);
    const cheap = new SessionUsageIndex(logsDir, { file, prices });
    expect((await cheap.usage('s1')).cost).toBe(0);
    index.keepOnly([]);
    expect(index.save()).toEqual({ saved: true });
    expect(JSON.parse(readFileSync(file, 'utf8')).sessions).toEqual({});
  });
});

describe('SessionUsageIndex and a damaged log', () => {
  it('answers what sessionUsage answers for a damaged file, and reads the repaired one again', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100), response('s1', 2, 100)]);
    await closeSessionLog(logsDir, 's1');
    const gz = sessionLogFiles(logsDir, 's1').compressed;
    const good = readFileSync(gz);
    const index = new SessionUsageIndex(logsDir);
    writeFileSync(gz, Buffer.concat([good.subarray(0, 20), Buffer.alloc(good.length - 20, 7)]));
    const fresh = await sessionUsage(logsDir, 's1').then(
      (usage) => usage.tokens.output,
      (error: Error) => error.message,
    );
    const indexed = await index.usage('s1').then(
      (usage) => usage.tokens.output,
      (error: Error) => error.message,
    );
    expect(indexed).toEqual(fresh);
    expect(fresh).not.toBe(200);
    writeFileSync(gz, good);
    expect((await index.usage('s1')).tokens.output).toBe(200);
  });
});

describe('SessionInfoMemo: listSessions for a long-lived reader', () => {
  it('equals listSessions after an append, a new session, a close and a backup marker', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100)]);
    const memo = new SessionInfoMemo(logsDir);
    const same = async () => expect(memo.list()).toEqual(await listSessions(logsDir));
    await same();
    await write(logsDir, [response('s1', 5, 100), { type: 'session_end', session: 's1', data: {} }]);
    await same();
    await write(logsDir, [response('s2', 1, 100)]);
    await same();
    await closeSessionLog(logsDir, 's1');
    await same();
    writeFileSync(sessionLogFiles(logsDir, 's1').backupMarker, '{}');
    await same();
    expect(memo.list().find((s) => s.session === 's1')?.backedUp).toBe(true);
  });
});

describe('LogsVersion: a cheap version of a log folder', () => {
  it('changes on an append, a new session, a close and a backup marker; untrusted right after a change', async () => {
    const logsDir = tempDir();
    await write(logsDir, [response('s1', 1, 100)]);
    const version = new LogsVersion(logsDir);
    expect(version.current()).toBeUndefined();
    const later = () => version.current(Date.now() + 60_000);
    const tick = () => new Promise((r) => setTimeout(r, 25));
    await tick();
    const seen = [later()];
    expect(later()).toBe(seen[0]);
    const changes = [
      () => write(logsDir, [response('s1', 2, 100)]),
      () => write(logsDir, [response('s2', 1, 100)]),
      () => closeSessionLog(logsDir, 's1').then(() => undefined),
      async () => writeFileSync(sessionLogFiles(logsDir, 's1').backupMarker, '{}'),
    ];
    for (const change of changes) {
      await tick();
      await change();
      seen.push(later());
      expect(later()).toBe(seen.at(-1));
    }
    expect(seen.every((v) => v !== undefined)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
