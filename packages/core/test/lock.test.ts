import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock } from '../src/index.js';
import { tempDir } from './helpers.js';

function deadPid(): number {
  // A process that has already exited (and been reaped) has a pid no one holds.
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('FileLock', () => {
  it('excludes a second holder and records its owner', () => {
    const path = join(tempDir(), 'a.lock');
    const a = new FileLock(path);
    const b = new FileLock(path);
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect(a.readOwner()).toMatchObject({ pid: process.pid, host: hostname() });
    a.release();
    expect(b.tryAcquire()).toBe(true);
    b.release();
  });

  it('takes over a lock whose process is gone at once', () => {
    const path = join(tempDir(), 'a.lock');
    writeFileSync(path, `${deadPid()} ${hostname()} 123 ${Date.now()}\n`);
    const lock = new FileLock(path);
    expect(lock.tryAcquire()).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`${process.pid} `);
    lock.release();
  });

  it('takes over a lock whose pid was reused by another process (start time differs)', () => {
    const path = join(tempDir(), 'a.lock');
    writeFileSync(path, `${process.pid} ${hostname()} 1 ${Date.now()}\n`);
    const lock = new FileLock(path);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('takes over an empty lock file at once (a live lock never appears empty)', () => {
    const path = join(tempDir(), 'a.lock');
    writeFileSync(path, '');
    const lock = new FileLock(path);
    expect(lock.tryAcquire()).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`${process.pid} `);
    lock.release();
  });

  it("takes over another host's lock only after staleMs", () => {
    const path = join(tempDir(), 'a.lock');
    writeFileSync(path, `1 other-host 5 ${Date.now()}\n`);
    expect(new FileLock(path, { staleMs: 60_000 }).tryAcquire()).toBe(false);
    writeFileSync(path, `1 other-host 5 ${Date.now() - 120_000}\n`);
    const lock = new FileLock(path, { staleMs: 60_000 });
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('times out with a message that names the lock and its owner', async () => {
    const path = join(tempDir(), 'a.lock');
    const holder = new FileLock(path);
    holder.tryAcquire();
    const waiter = new FileLock(path, { timeoutMs: 100 });
    await expect(waiter.acquire()).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      message: expect.stringMatching(new RegExp(`waiting for .*a\\.lock, held by pid ${process.pid}`)),
    });
    expect(() => waiter.acquireSync()).toThrow(expect.objectContaining({ code: 'LOCK_TIMEOUT' }));
    holder.release();
    await waiter.acquire();
    waiter.release();
  });
});
