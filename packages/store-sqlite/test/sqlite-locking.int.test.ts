import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NOW, open, sessionEvents, spawnTs, tempDir, writeLog } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
const HOLD_LOCK = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));

async function setup(busyTimeoutMs: number) {
  const dir = tempDir();
  const logsDir = join(dir, 'logs');
  const events = await writeLog(logsDir, sessionEvents('s1', 200, 2));
  const store = await open({ file: join(dir, 'sat.db'), logsDir, busyTimeoutMs });
  await store.apply(events.slice(0, 100));
  return { store, file: store.file, rest: events.slice(100) };
}

describe('a database locked by another connection', () => {
  it('is waited for up to busyTimeoutMs, then fails with LOCK_TIMEOUT; reads go on meanwhile', async () => {
    const { store, file, rest } = await setup(400);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      const attempt = store.apply(rest);
      await expect(attempt).rejects.toMatchObject({ code: 'LOCK_TIMEOUT', details: { waitedMs: 400 } });
      await expect(attempt).rejects.toThrow(
        `[store-sqlite] cannot write to ${file}: the database is locked by another connection (an ingest or rebuild in another process?); waited 400 ms (retry when it is done, or raise busyTimeoutMs)`,
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(350);
      // WAL: a write lock does not block readers.
      expect((await store.toolEffectiveness({ now: NOW })).tools.length).toBeGreaterThan(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Nothing of the failed batch was kept; once the lock is gone the same events go in.
    expect((await store.status()).events).toBe(100);
    expect((await store.apply(rest)).applied).toBe(100);
  });

  it('held by another process that lets go within the timeout: the write waits, then succeeds', async () => {
    const { store, file, rest } = await setup(10_000);
    const child = spawnTs(HOLD_LOCK, [file, '700']);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
    while (!output.includes('locked')) await once(child.stdout!, 'data');
    const started = performance.now();
    const result = await store.apply(rest);
    const waited = performance.now() - started;
    await once(child, 'exit');
    expect(output).toContain('released');
    expect(result).toEqual({ applied: 100, duplicates: 0, sessions: 1 });
    expect(waited).toBeGreaterThanOrEqual(300);
    expect((await store.status()).events).toBe(200);
  });
});
