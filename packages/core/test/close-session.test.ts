import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { closeSessionLog, EventWriter, listSessions, sessionLogFiles } from '../src/index.js';
import { realisticEvents } from '../src/testing/index.js';
import { readAll, tempDir } from './helpers.js';

async function writeRealistic(logsDir: string, session: string, count: number): Promise<void> {
  const writer = new EventWriter({ logsDir });
  writer.append({
    type: 'session_start',
    session,
    data: { source: 'startup' },
    ts: '2026-01-01T00:00:00.000Z',
  });
  for (const event of realisticEvents({ session }, count)) writer.append(event);
  writer.append({ type: 'session_end', session, data: { reason: 'done' }, ts: '2026-01-02T00:00:00.000Z' });
  await writer.close();
}

describe('closing a session', () => {
  it('compresses, verifies and only then removes the plain log; the bytes are identical', async () => {
    const logsDir = tempDir();
    await writeRealistic(logsDir, 's', 5000);
    const files = sessionLogFiles(logsDir, 's');
    const plain = readFileSync(files.plain);
    const result = await closeSessionLog(logsDir, 's');
    expect(existsSync(files.plain)).toBe(false);
    expect(gunzipSync(readFileSync(files.compressed)).equals(plain)).toBe(true);
    expect(result).toMatchObject({
      session: 's',
      events: 5002,
      badLines: 0,
      firstSeq: 1,
      lastSeq: 5002,
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-02T00:00:00.000Z',
      plainBytes: plain.length,
      sha256: createHash('sha256').update(plain).digest('hex'),
      compressedNow: true,
    });
    expect(JSON.parse(readFileSync(files.meta, 'utf8'))).toMatchObject({
      events: 5002,
      sha256: result.sha256,
    });
    // Realistic events compress to far less than 15% of their size.
    expect(result.compressedBytes / result.plainBytes).toBeLessThan(0.15);
    const [info] = await listSessions(logsDir);
    expect(info).toMatchObject({
      session: 's',
      status: 'closed',
      events: 5002,
      end: '2026-01-02T00:00:00.000Z',
    });
  });

  it('is idempotent', async () => {
    const logsDir = tempDir();
    await writeRealistic(logsDir, 's', 10);
    const first = await closeSessionLog(logsDir, 's');
    const second = await closeSessionLog(logsDir, 's');
    expect(second.compressedNow).toBe(false);
    expect(second.sha256).toBe(first.sha256);
  });

  it('finishes a close interrupted after the rename (metadata missing) or before the unlink', async () => {
    const logsDir = tempDir();
    await writeRealistic(logsDir, 's', 100);
    const files = sessionLogFiles(logsDir, 's');
    const plain = readFileSync(files.plain);
    const first = await closeSessionLog(logsDir, 's');

    rmSync(files.meta);
    const rebuilt = await closeSessionLog(logsDir, 's');
    expect(rebuilt).toMatchObject({ events: 102, sha256: first.sha256, compressedNow: false });
    expect(existsSync(files.meta)).toBe(true);

    writeFileSync(files.plain, plain); // crash before the plain log was removed
    const again = await closeSessionLog(logsDir, 's');
    expect(again.compressedNow).toBe(true);
    expect(existsSync(files.plain)).toBe(false);
    expect((await readAll(logsDir, 's')).events).toHaveLength(102);
  });

  it('reports a session that has no log', async () => {
    await expect(closeSessionLog(tempDir(), 'nope')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('keeps the plain log when the compressed copy cannot be written', async () => {
    const logsDir = tempDir();
    await writeRealistic(logsDir, 's', 10);
    const files = sessionLogFiles(logsDir, 's');
    // A folder where the temporary compressed file should go makes the write fail.
    const tmp = `${files.compressed}.tmp-${process.pid}`;
    renameSync(logsDir, `${logsDir}.x`);
    renameSync(`${logsDir}.x`, logsDir);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(tmp);
    await expect(closeSessionLog(logsDir, 's')).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringContaining('the plain log was kept'),
    });
    expect(existsSync(files.plain)).toBe(true);
    expect(existsSync(files.compressed)).toBe(false);
  });
});
