import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventWriter, setActiveSession } from '@sat/core';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../src/context.js';
import { fitWidths, formatAge, printTable } from '../src/output.js';
import { sat, tempDir } from './helpers.js';

const DAY = 86_400_000;

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

/** Writes an old open session imported from a transcript, with a handoff event sat wrote today. */
async function oldImportedSession(home: string, session = 'old-imported'): Promise<string> {
  const logsDir = join(home, 'logs');
  const writer = new EventWriter({ logsDir });
  const start = new Date(Date.now() - 300 * DAY);
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
  writer.append({
    type: 'session_start',
    session,
    ts: at(0),
    data: { client: 'claude-code' },
    meta: { transcript: '/home/u/.claude/projects/p/old.jsonl' },
  });
  writer.append({ type: 'user_prompt', session, ts: at(1), data: { text: 'Fix the parser', chars: 14 } });
  writer.append({
    type: 'tool_usage',
    session,
    ts: at(2),
    data: { tool: 'Bash', success: true, parameters: { command: 'ls' } },
  });
  writer.append({ type: 'handoff', session, data: { path: '/tmp/h.md', trigger: 'quickstart' } });
  await writer.close();
  return session;
}

describe('"active" means one thing in every command', () => {
  it('sat sessions and sat show active agree that an old imported session is not active', async () => {
    const home = tempDir();
    const session = await oldImportedSession(home);
    setActiveSession(join(home, 'logs'), session);
    const listed = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    expect(listed[0]).toMatchObject({
      session,
      status: 'active',
      activity: 'ended (imported)',
      imported: true,
    });
    expect(Date.parse(listed[0].lastActivityAt)).toBeLessThan(Date.now() - 299 * DAY);
    const table = await sat(['sessions'], { home });
    expect(table.stdout).toContain('ended (imported)');
    expect(table.stdout).not.toMatch(/\tactive\t/);

    const show = await sat(['show', 'active'], { home });
    expect(show.code).not.toBe(0);
    expect(show.stderr).toContain('no active session');
    expect(show.stderr).toContain(`${session} (ended (imported) since`);

    const logged = await sat(
      ['log', 'decision', '--session', session, '--question', 'Q?', '--selected', 'A'],
      {
        home,
      },
    );
    expect(logged.code, logged.stderr).toBe(0);
    const now = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    expect(now[0].activity).toBe('active');
    const shown = await sat(['show', 'active', '--json'], { home });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).session).toBe(session);
  });

  it('sat recover --dry-run says how long in days and shows events as readable lines', async () => {
    const home = tempDir();
    await oldImportedSession(home);
    const dry = await sat(['recover', '--dry-run'], { home });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/no activity for 29\d days/);
    expect(dry.stdout).toMatch(/user_prompt: "Fix the parser"/);
    expect(dry.stdout).toMatch(/session_start: claude-code/);
    expect(dry.stdout).not.toContain('{"text"');
  });
});

describe('sat log', () => {
  it("fills an agent_invocation's agent from --agent", async () => {
    const home = tempDir();
    const run = await sat(['log', 'agent_invocation', '--agent', 'Plan', '--status', 'started'], { home });
    expect(run.code, run.stderr).toBe(0);
    const [{ session }] = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    const events = jsonLines((await sat(['events', session, '--json'], { home })).stdout);
    expect(events.at(-1)).toMatchObject({ type: 'agent_invocation', agent: 'Plan', data: { agent: 'Plan' } });
  });

  it('refuses an unknown --session id unless --new is given', async () => {
    const home = tempDir();
    const refused = await sat(
      ['log', 'decision', '--session', 'typo-id', '--question', 'Q', '--selected', 'A'],
      {
        home,
      },
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no session typo-id');
    expect(refused.stderr).toContain('--new');
    expect(JSON.parse((await sat(['sessions', '--json'], { home })).stdout)).toEqual([]);

    const started = await sat(
      ['log', 'decision', '--session', 'fresh-id', '--new', '--question', 'Q', '--selected', 'A'],
      { home },
    );
    expect(started.code, started.stderr).toBe(0);
    const events = jsonLines((await sat(['events', 'fresh-id', '--json'], { home })).stdout);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['session_start', 'decision']);
  });
});

describe('reports over the default 30 days', () => {
  it('sat stats says when every event is older, and suggests --days all', async () => {
    const home = tempDir();
    await oldImportedSession(home);
    const stats = await sat(['stats', 'tools'], { home });
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stderr).toMatch(
      /no events in the last 30 days; the newest is from \d{4}-\d{2}-\d{2}: try --days all/,
    );
    expect(stats.stdout).toBe('');
    const all = await sat(['stats', 'tools', '--days', 'all'], { home });
    expect(all.stderr).not.toContain('no events in the last');
    expect(all.stdout).toContain('Bash');
  });
});

describe('small things a new user meets', () => {
  it('sat import of a folder without transcripts suggests --sample', async () => {
    const home = tempDir();
    const empty = join(home, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'nothing');
    const run = await sat(['import', empty], { home });
    expect(run.stderr).toContain('sat import --sample');
  });

  it('sat handoff --max-tokens takes the same bounds as handoff.maxTokens', async () => {
    const home = tempDir();
    await oldImportedSession(home);
    const low = await sat(['handoff', '--max-tokens', '150'], { home });
    expect(low.code).not.toBe(0);
    expect(low.stderr).toContain('from 200 to 200000');
  });

  it('formats long spans in days and fits tables to the terminal without row rules', () => {
    expect(formatAge(430_470 * 60_000)).toBe('298 days');
    expect(formatAge(90 * 60_000)).toBe('1 hour');
    expect(fitWidths([36, 10, 60], [true, false, true], 80)).toEqual([30, 10, 30]);
    let text = '';
    const ctx = {
      out: { isTTY: true, columns: 50 },
      print: (line = '') => {
        text += `${line}\n`;
      },
    } as unknown as CliContext;
    const rows = [
      { id: 'a'.repeat(40), note: 'b'.repeat(40), n: 1 },
      { id: 'c'.repeat(40), note: 'd'.repeat(40), n: 2 },
    ];
    printTable(ctx, rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'NOTE', value: (r) => r.note },
      { header: 'N', value: (r) => r.n, align: 'right' },
    ]);
    const lines = text.trimEnd().split('\n');
    const plain = lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    for (const line of plain) expect(line.length).toBeLessThanOrEqual(50);
    expect(plain.some((line) => line.includes('…'))).toBe(true);
    expect(plain).toHaveLength(6); // top, header, rule under the header, two rows, bottom
  });
});
