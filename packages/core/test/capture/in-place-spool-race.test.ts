import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestHookSpool, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

/** Paths the code under test has opened (node:fs's openSync, passed through). */
const opened: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    openSync: (...args: Parameters<typeof fs.openSync>) => {
      opened.push(String(args[0]));
      return fs.openSync(...args);
    },
  };
});

afterEach(() => {
  vi.restoreAllMocks();
  opened.length = 0;
});

describe('a hook that exits while its payload is being read', () => {
  it('leaves the half-read payload for the next run instead of setting it aside as bad', async () => {
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    const pid = 4_194_000; // the hook's pid: "alive" until its file is opened, gone from then on
    const file = join(spool, `${pid}.json`);
    const whole = JSON.stringify({
      session_id: 'race-session',
      hook_event_name: 'UserPromptSubmit',
      cwd: '/p',
      prompt: 'written while read',
    });
    writeFileSync(file, ''); // the hook has created its file and not yet written to it
    const kill = process.kill.bind(process);
    vi.spyOn(process, 'kill').mockImplementation((target, signal) => {
      if (target !== pid) return kill(target, signal);
      if (opened.includes(file)) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      return true;
    });

    const first = await ingestHookSpool({ logsDir });
    expect(opened).toContain(file);
    expect(first).toMatchObject({ inProgress: 1, bad: [], appended: 0 });
    expect(existsSync(join(spool, 'bad'))).toBe(false);
    expect(existsSync(file)).toBe(true);

    // The hook had finished by then: the next run reads the whole payload (the writer is gone).
    writeFileSync(file, whole);
    const second = await ingestHookSpool({ logsDir });
    expect(second).toMatchObject({ inProgress: 0, appended: 1, bad: [] });
    expect(existsSync(file)).toBe(false);
  });
});
