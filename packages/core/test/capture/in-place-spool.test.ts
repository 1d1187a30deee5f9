import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestHookSpool, spoolDir } from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';

const SESSION = 'in-place-session';
const payload = (hook: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: SESSION, hook_event_name: hook, cwd: '/p', ...extra });

/** A pid that no process has now (a child that has exited). */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('payloads the hook writes in place (<pid>.json)', () => {
  it('are ingested in the order they were written (by modification time), whatever their pids', async () => {
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    const files = [
      ['900001.json', payload('SessionStart', { source: 'startup' })],
      ['12.json', payload('UserPromptSubmit', { prompt: 'first' })],
      ['500.json', payload('UserPromptSubmit', { prompt: 'second' })],
    ] as const;
    files.forEach(([name, text], i) => {
      const path = join(spool, name);
      writeFileSync(path, text);
      const at = new Date(Date.UTC(2026, 11, 6, 10, 0, i));
      utimesSync(path, at, at);
    });
    const result = await ingestHookSpool({ logsDir });
    expect(result.bad).toEqual([]);
    const { events } = await readAll(logsDir, SESSION);
    expect(events.map((e) => (e.type === 'user_prompt' ? e.data.text : e.type))).toEqual([
      'session_start',
      'first',
      'second',
    ]);
  });

  it('leave a half-written file of a live hook for the next run, and set aside one whose hook is gone', async () => {
    const logsDir = join(tempDir(), 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    const half = payload('UserPromptSubmit', { prompt: 'still being written' }).slice(0, 40);
    const live = join(spool, `${process.pid}.json`);
    const dead = join(spool, `${deadPid()}.json`);
    writeFileSync(live, half);
    writeFileSync(dead, half);

    const first = await ingestHookSpool({ logsDir });
    expect(first.inProgress).toBe(1);
    expect(first.bad.map((b) => b.file)).toEqual([`${Number(dead.split('/').pop()!.split('.')[0])}.json`]);
    expect(existsSync(live)).toBe(true);

    // The hook finishes writing: the next run ingests it.
    writeFileSync(live, payload('UserPromptSubmit', { prompt: 'still being written' }));
    const second = await ingestHookSpool({ logsDir });
    expect(second).toMatchObject({ inProgress: 0, appended: 1, bad: [] });
    expect(existsSync(live)).toBe(false);
  });
});
