import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isSatError } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { NOW, open, sessionEvents, tempDir, writeLog } from './helpers.js';

async function storeWithData(dir: string) {
  const logsDir = join(dir, 'logs');
  const file = join(dir, 'sat.db');
  await writeLog(logsDir, sessionEvents('s1', 3000, 3));
  const store = await openSqliteStore({ file, logsDir });
  await store.ingestLog();
  const tools = (await store.toolEffectiveness({ now: NOW })).tools;
  await store.close();
  return { logsDir, file, tools };
}

describe('a damaged database', () => {
  it('a file that is not a database: STORE_CORRUPT naming the file and suggesting sat rebuild; the file is left as it was', async () => {
    const dir = tempDir();
    const file = join(dir, 'sat.db');
    const garbage = Buffer.from(
      'this is not a database, it is a text file that was copied over it\n'.repeat(100),
    );
    writeFileSync(file, garbage);
    const attempt = openSqliteStore({ file, logsDir: dir });
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^\\[store-sqlite\\] cannot open ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the file is damaged or not a SQLite database \\(file is not a database\\); .*run 'sat rebuild'`,
      ),
    );
    expect(readFileSync(file)).toEqual(garbage);
  });

  it('damaged pages: STORE_CORRUPT from the first call that reads them', async () => {
    const dir = tempDir();
    const { logsDir, file } = await storeWithData(dir);
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    // Keep page 1 (the header and schema), scramble the rest.
    const noise = Buffer.alloc(size - 4096, 0xa5);
    writeSync(fd, noise, 0, noise.length, 4096);
    closeSync(fd);
    let error: unknown;
    try {
      const store = await openSqliteStore({ file, logsDir });
      try {
        await store.toolEffectiveness({ now: NOW });
        await store.sessionSummary({ now: NOW });
        await store.ingestLog();
      } finally {
        await store.close().catch(() => undefined);
      }
    } catch (caught) {
      error = caught;
    }
    expect(isSatError(error, 'STORE_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain("run 'sat rebuild'");
    expect((error as { cause?: { code?: string } }).cause?.code).toMatch(/^SQLITE_(CORRUPT|NOTADB)/);
  });

  it("onCorrupt: 'recreate' moves the damaged file aside; a rebuild from the log gives the figures back", async () => {
    const dir = tempDir();
    const { logsDir, file, tools } = await storeWithData(dir);
    writeFileSync(file, 'garbage'.repeat(1000));
    const store = await open({ file, logsDir, onCorrupt: 'recreate' });
    expect(readdirSync(dir).filter((name) => name.startsWith('sat.db.damaged-'))).toHaveLength(1);
    expect((await store.toolEffectiveness({ now: NOW })).tools).toEqual([]);
    await store.rebuild();
    expect((await store.toolEffectiveness({ now: NOW })).tools).toEqual(tools);
  });
});

describe('bad input', () => {
  it('two events claiming the same place in a session: CONFLICT, and nothing of that batch is kept', async () => {
    const dir = tempDir();
    const store = await open({ file: join(dir, 'sat.db'), logsDir: join(dir, 'logs') });
    const event = (id: string, tool: string) => ({
      id,
      session: 's',
      seq: 1,
      ts: '2026-02-01T10:00:00.000Z',
      type: 'tool_usage' as const,
      agent: 'main',
      v: 1,
      data: { tool, success: true },
    });
    await expect(store.apply([event('a', 'Read'), event('b', 'Grep')])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await store.status()).events).toBe(0);
    expect((await store.toolEffectiveness({ days: 'all' })).tools).toEqual([]);
    expect(await store.apply([event('a', 'Read')])).toEqual({ applied: 1, duplicates: 0, sessions: 1 });
  });

  it('a closed store refuses calls with a clear error', async () => {
    const dir = tempDir();
    const store = await openSqliteStore({ file: join(dir, 'sat.db'), logsDir: dir });
    await store.close();
    await expect(store.costAnalysis()).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('the store is closed'),
    });
    expect(existsSync(join(dir, 'sat.db'))).toBe(true);
  });
});
