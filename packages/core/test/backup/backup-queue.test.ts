import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BACKUP_QUEUE_FILE,
  backupQueuePaths,
  backupSession,
  FileLock,
  LocalDirectoryTarget,
  listBackupQueue,
  processBackupQueue,
  readBackupMarker,
  retryDelayMs,
  sessionLogFiles,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { FlakyTarget, freshConfig, writeSession } from './backup-fixtures.js';

const LATER = () => new Date(Date.now() + 7 * 24 * 3_600_000);

describe('the backup queue', () => {
  it('queues a backup while the target is down, and delivers it once after a restart', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    const dir = join(tempDir(), 'backups');
    const down = new FlakyTarget(new LocalDirectoryTarget({ dir }));
    down.down = true;

    const queued = await backupSession(config, down, 's1');
    expect(queued.status).toBe('queued');
    expect(queued.marked).toBe(false);
    expect(queued.job?.id).toBe(`s1:${queued.sha256}`);
    expect(readBackupMarker(sessionLogFiles(config.paths.logs, 's1'))).toBeUndefined();
    // The same bundle is queued once, however often it is asked for.
    expect((await backupSession(config, down, 's1')).status).toBe('queued');
    const stored = JSON.parse(readFileSync(join(config.paths.state, BACKUP_QUEUE_FILE), 'utf8'));
    expect(stored.jobs).toHaveLength(1);
    expect(stored.jobs[0]).toMatchObject({
      session: 's1',
      attempts: 1,
      target: { name: 'local', location: dir },
    });
    expect(readdirSync(backupQueuePaths(config).spool)).toEqual([stored.jobs[0].bundleFile]);

    // Still down: rescheduled with backoff, the job stays.
    const stillDown = await processBackupQueue(config, down, { ignoreSchedule: true });
    expect(stillDown.jobs.map((j) => j.status)).toEqual(['retry-later']);
    expect(listBackupQueue(config)[0]!.attempts).toBe(2);
    expect(Date.parse(listBackupQueue(config)[0]!.nextAttemptAt)).toBeGreaterThan(Date.now());

    // "Restart": a new target object, the queue read from disk. Not due yet: nothing happens.
    const up = new FlakyTarget(new LocalDirectoryTarget({ dir }));
    const early = await processBackupQueue(config, up);
    expect(early.jobs.map((j) => j.status)).toEqual(['not-due']);
    expect(up.puts.size).toBe(0);
    // Due: delivered and verified, once.
    const run = await processBackupQueue(config, up, { now: LATER });
    expect(run.jobs.map((j) => j.status)).toEqual(['uploaded']);
    expect(run.remaining).toBe(0);
    expect(up.puts.get(queued.bundleKey)).toBe(1);
    expect(listBackupQueue(config)).toEqual([]);
    expect(readdirSync(backupQueuePaths(config).spool)).toEqual([]);
    expect(readBackupMarker(sessionLogFiles(config.paths.logs, 's1'))?.checksum).toBe(queued.sha256);

    // Nothing twice: the queue is empty, and a new backup finds the same bundle on the target.
    expect((await processBackupQueue(config, up, { ignoreSchedule: true })).jobs).toEqual([]);
    expect((await backupSession(config, up, 's1')).status).toBe('unchanged');
    expect(up.puts.get(queued.bundleKey)).toBe(1);
  });

  it('queues when a local folder is unavailable (its parent is missing), and delivers once it is back', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    const mount = join(tempDir(), 'nas');
    const target = new LocalDirectoryTarget({ dir: join(mount, 'backups') });
    const queued = await backupSession(config, target, 's1');
    expect(queued.status).toBe('queued');
    expect(queued.job?.lastError).toContain('is the drive mounted?');
    mkdirSync(mount);
    const run = await processBackupQueue(config, target, { ignoreSchedule: true });
    expect(run.jobs.map((j) => j.status)).toEqual(['uploaded']);
    expect(existsSync(target.pathOf(queued.bundleKey))).toBe(true);
  });

  it('keeps only the newest bundle of a session waiting', async () => {
    const config = freshConfig();
    await writeSession(config, 'open', { events: 50 });
    const target = new FlakyTarget(new LocalDirectoryTarget({ dir: join(tempDir(), 'b') }));
    target.down = true;
    const first = await backupSession(config, target, 'open');
    await writeSession(config, 'open', { events: 5 });
    const second = await backupSession(config, target, 'open');
    expect(second.sha256).not.toBe(first.sha256);
    expect(listBackupQueue(config).map((j) => j.id)).toEqual([`open:${second.sha256}`]);
    expect(readdirSync(backupQueuePaths(config).spool)).toHaveLength(1);
  });

  it('leaves jobs of other targets alone, and lets one process work through the queue at a time', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    const a = new FlakyTarget(new LocalDirectoryTarget({ dir: join(tempDir(), 'a') }));
    a.down = true;
    await backupSession(config, a, 's1');
    const b = new LocalDirectoryTarget({ dir: join(tempDir(), 'b') });
    const other = await processBackupQueue(config, b, { ignoreSchedule: true });
    expect(other).toMatchObject({ busy: false, jobs: [], remaining: 0, otherTargets: 1 });

    const lock = new FileLock(backupQueuePaths(config).runLock);
    expect(lock.tryAcquire()).toBe(true);
    try {
      a.down = false;
      const busy = await processBackupQueue(config, a, { ignoreSchedule: true });
      expect(busy).toMatchObject({ busy: true, jobs: [], remaining: 1 });
    } finally {
      lock.release();
    }
    expect((await processBackupQueue(config, a, { ignoreSchedule: true })).jobs.map((j) => j.status)).toEqual(
      ['uploaded'],
    );
  });

  it('spaces retries exponentially, with jitter, up to a cap', () => {
    expect(retryDelayMs(1, {}, () => 0)).toBe(15_000);
    expect(retryDelayMs(1, {}, () => 1)).toBe(30_000);
    expect(retryDelayMs(4, {}, () => 1)).toBe(240_000);
    expect(retryDelayMs(40, {}, () => 1)).toBe(6 * 3_600_000);
    const samples = Array.from({ length: 50 }, () => retryDelayMs(3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(60_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(120_000);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });
});
