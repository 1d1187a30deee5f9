import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock, ingestHookSpool, listLostCaptures, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const SESSION = 'disk-full-1';

describe('a full disk', () => {
  it('reports the captures the hook could only mark as lost (empty lost-<epoch> files)', async () => {
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, 'lost-1780000100'), '');
    writeFileSync(join(spool, 'lost-1780000000'), '');
    expect(listLostCaptures(spool)).toEqual([
      { at: '2026-05-28T20:26:40.000Z', file: 'lost-1780000000' },
      { at: '2026-05-28T20:28:20.000Z', file: 'lost-1780000100' },
    ]);
    const result = await ingestHookSpool({ logsDir });
    expect(result.lostCaptures.map((l) => l.at)).toEqual([
      '2026-05-28T20:26:40.000Z',
      '2026-05-28T20:28:20.000Z',
    ]);
  });

  it('makes the ingest fail with a one-line SatError naming the file, not a raw ENOSPC', async (ctx) => {
    if (!existsSync('/dev/full')) ctx.skip('needs /dev/full');
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    mkdirSync(join(logsDir, 'raw'));
    symlinkSync('/dev/full', join(logsDir, 'raw', `${SESSION}.jsonl`));
    writeFileSync(
      join(spool, '1780000000000000000-1.json'),
      JSON.stringify({ session_id: SESSION, hook_event_name: 'Stop' }),
    );
    await expect(ingestHookSpool({ logsDir })).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(
        /^\[core\] cannot write the raw payload copies in .*: no space left on device/,
      ),
    });
    // The payload is kept for the next run.
    expect(existsSync(join(spool, '1780000000000000000-1.json'))).toBe(true);
  });
});

describe('an empty lock file', () => {
  it('is stale at once (a process killed between creating and filling it)', () => {
    const path = join(tempDir(), 'x.lock');
    writeFileSync(path, '');
    const lock = new FileLock(path);
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.holds()).toBe(true);
    lock.release();
    expect(existsSync(path)).toBe(false);
  });
});

describe('writeFileAtomic on a full disk', () => {
  it('throws a one-line IO_ERROR naming the file and leaves it as it was', async (ctx) => {
    if (!existsSync('/dev/full')) ctx.skip('needs /dev/full');
    const { writeFileAtomic } = await import('../../src/log/atomic-file.js');
    const dir = tempDir();
    const target = join(dir, 'state.json');
    writeFileSync(target, 'old');
    // The temporary file is the one written: make it /dev/full.
    const realNow = Date.now;
    Date.now = () => 42;
    symlinkSync('/dev/full', `${target}.tmp-${process.pid}-42`);
    try {
      expect(() => writeFileAtomic(target, 'new')).toThrow(
        expect.objectContaining({
          code: 'IO_ERROR',
          message: expect.stringContaining(`cannot write ${target}: no space left`),
        }),
      );
    } finally {
      Date.now = realNow;
    }
    expect(readFileSync(target, 'utf8')).toBe('old');
  });
});
