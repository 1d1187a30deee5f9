/**
 * Team analytics on one machine's history: this machine's sessions (identity SAT_USER /
 * SAT_MACHINE) and a session imported from Ana's bundle (its events carry `meta.origin`), through
 * `sat stats --user/--machine/--by`, `sat stats team`, `sat team` and `sat review --team`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventWriter, type NewEvent } from '@sat/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const SONNET = 'claude-sonnet-4-5-20250929';
const ENV = { SAT_USER: 'me', SAT_MACHINE: 'my-laptop' };
const ORIGIN = { user: 'ana', machine: 'ana-laptop', bundle: 'bundle-1' };

function work(session: string, input: number, tool: string, at: number): NewEvent[] {
  const ts = (i: number) => new Date(at + i * 1000).toISOString();
  return [
    { type: 'session_start', data: { phase: 1 } },
    { type: 'tool_usage', data: { tool, success: tool !== 'Bash', duration_ms: 20 } },
    { type: 'error', data: { error_type: 'TypeError', message: `boom in ${session}` } },
    {
      type: 'api_response',
      data: {
        model: SONNET,
        message_id: `msg_${session}`,
        request_id: `req_${session}`,
        tokens: { input, output: 10, cacheCreation: 0, cacheRead: 0 },
        source: 'transcript',
      },
    },
  ].map((e, i) => ({ ...e, session, agent: 'main', ts: ts(i) }) as NewEvent);
}

let home: string;
// tempDir's folders are removed after each test, so each test gets its own small history.
beforeEach(async () => {
  home = tempDir();
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  const now = Date.now() - 60_000;
  for (const event of work('mine-1', 100, 'Read', now)) writer.append(event);
  work('ana-1', 1000, 'Bash', now).forEach((event, i) => {
    writer.append({ ...event, meta: { origin: { ...ORIGIN, seq: i + 1 } } });
  });
  await writer.close();
});

async function json<T>(args: string[]): Promise<T> {
  const run = await sat(['--home', home, ...args, '--json'], { env: ENV });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface Tokens {
  tokens: { total: number };
}

describe('team analytics', () => {
  it('sat stats team: sessions, tokens and errors per user x machine x day; imported work under its origin', async () => {
    const team = await json<{
      rows: Array<Tokens & { user: string; machine: string; sessions: number; errors: number }>;
    }>(['stats', 'team', '--days', '7']);
    expect(team.rows.map((r) => [r.user, r.machine, r.sessions, r.errors, r.tokens.total]).sort()).toEqual([
      ['ana', 'ana-laptop', 1, 1, 1010],
      ['me', 'my-laptop', 1, 1, 110],
    ]);
    const csv = await sat(['--home', home, 'stats', 'team', '--csv'], { env: ENV });
    expect(csv.stdout.split('\n')[0]).toBe('DAY,USER,MACHINE,SESSIONS,TOKENS,COST_USD,ERRORS,TOOL_CALLS');
  });

  it('--user and --machine narrow every report', async () => {
    const tools = await json<{ tools: Array<{ tool: string }>; filters: { user: string } }>([
      'stats',
      'tools',
      '--user',
      'ana',
    ]);
    expect([tools.tools.map((t) => t.tool), tools.filters.user]).toEqual([['Bash'], 'ana']);
    const cost = await json<Tokens>(['stats', 'cost', '--machine', 'my-laptop']);
    expect(cost.tokens.total).toBe(110);
    const errors = await json<{ totals: { errors: number } }>(['stats', 'errors', '--user', 'nobody']);
    expect(errors.totals.errors).toBe(0);
  });

  it('--by user|machine: the answer once per owner, in JSON, CSV and tables', async () => {
    const byUser = await json<{ by: string; groups: Array<{ owner: string; result: Tokens }> }>([
      'stats',
      'cost',
      '--by',
      'user',
    ]);
    expect(byUser.by).toBe('user');
    expect(byUser.groups.map((g) => [g.owner, g.result.tokens.total])).toEqual([
      ['ana', 1010],
      ['me', 110],
    ]);
    const csv = await sat(['--home', home, 'stats', 'tools', '--by', 'machine', '--csv'], { env: ENV });
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MACHINE,TOOL,USES,/);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2))).toEqual([
      ['ana-laptop', 'Bash'],
      ['my-laptop', 'Read'],
    ]);
    const table = await sat(['--home', home, 'stats', 'agents', '--by', 'user'], { env: ENV });
    expect(table.stdout).toMatch(/user ana[\s\S]*AGENT[\s\S]*user me/);
    const bad = await sat(['--home', home, 'stats', 'errors', '--by', 'team'], { env: ENV });
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/--by must be 'user' or 'machine'/)]);
  });

  it('sat team: per person per ISO week, as a table and JSON', async () => {
    const team = await json<{ rows: Array<Tokens & { week: string; user: string; machines: string[] }> }>([
      'team',
      '--weeks',
      '2',
    ]);
    expect(team.rows.map((r) => [r.user, r.machines, r.tokens.total])).toEqual([
      ['ana', ['ana-laptop'], 1010],
      ['me', ['my-laptop'], 110],
    ]);
    expect(team.rows[0]!.week).toMatch(/^\d{4}-W\d{2}$/);
    const table = await sat(['--home', home, 'team'], { env: ENV });
    expect(table.stdout).toMatch(/WEEK\s+USER\s+MACHINES\s+SESSIONS\s+TOKENS\s+COST\s+ERRORS/);
    expect(table.stdout).toMatch(/ana\s+ana-laptop\s+1\s+1\.01k/);
    const bad = await sat(['--home', home, 'team', '--weeks', '0'], { env: ENV });
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/--weeks must be a whole number/)]);
  });

  it('sat review --team adds a section per person', async () => {
    const out = join(home, 'week.md');
    const review = await json<{ team: Array<{ user: string; sessions: number }> }>([
      'review',
      '--days',
      '7',
      '--team',
      '--local-only',
      '--out',
      out,
    ]);
    expect(review.team.map((r) => [r.user, r.sessions])).toEqual([
      ['ana', 1],
      ['me', 1],
    ]);
    expect(readFileSync(out, 'utf8')).toMatch(/## Team[\s\S]*\| ana +\| ana-laptop/);
    const summary = await sat(
      ['--home', home, 'review', '--days', '7', '--team', '--local-only', '--out', out],
      {
        env: ENV,
      },
    );
    expect(summary.stdout).toMatch(/team: ana 1 sessions \$[\d.]+, me 1 sessions/);
  });
});
