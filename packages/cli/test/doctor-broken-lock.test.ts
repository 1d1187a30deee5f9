import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

describe('sat doctor and a broken session lock', () => {
  it('reports a reused seq as a broken lock, and sat events still shows every event', async () => {
    const home = tempDir();
    const session = 'lock-broken-session';
    for (const [i, question] of ['one', 'two'].entries()) {
      const flags = i === 0 ? ['--new'] : [];
      const run = await sat([
        '--home',
        home,
        'log',
        'decision',
        '--session',
        session,
        ...flags,
        '--question',
        question,
        '--selected',
        'yes',
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    // A second writer that took the lock after it was deleted wrote seq 2 again, with its own id.
    const log = join(home, 'logs', `${session}.jsonl`);
    const last = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').at(-1)!);
    appendFileSync(
      log,
      `${JSON.stringify({ ...last, id: `${last.id.slice(0, -4)}beef`, data: { question: 'three', selected: 'yes' } })}\n`,
    );

    const run = await sat(['--home', home, 'doctor', '--json']);
    const findings = JSON.parse(run.stdout).findings as Array<{
      status: string;
      detail: string;
      fix?: string;
    }>;
    const broken = findings.find((f) => f.detail.includes('seq-reused'));
    expect(broken).toMatchObject({ status: 'error' });
    expect(broken!.fix).toContain('lock was broken');
    const events = await sat(['--home', home, 'events', session, '--json']);
    const questions = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .flatMap((e) => (e.type === 'decision' ? [e.data.question] : []));
    expect(questions).toEqual(['one', 'two', 'three']);
  });
});

describe('sat doctor and lost captures', () => {
  it('says when captures were lost (lost-<time> markers of the hook) and --fix removes the markers', async () => {
    const home = tempDir();
    const spool = join(home, 'logs', 'spool');
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, 'lost-1765000000-4242'), '');
    const first = JSON.parse((await sat(['--home', home, 'doctor', '--json'])).stdout).findings as Finding[];
    const lost = first.find((f) => f.detail.includes('were lost'));
    expect(lost?.detail).toContain('1 hook capture(s)');
    expect(lost?.fix).toContain('free disk space');
    await sat(['--home', home, 'doctor', '--fix', '--json']);
    expect(readdirSync(spool).filter((name) => name.startsWith('lost-'))).toEqual([]);
  });
});

interface Finding {
  status: string;
  detail: string;
  fix?: string;
}
