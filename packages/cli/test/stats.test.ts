import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const SESSION = '55604662-cf2a-4331-851a-ec234028f8ca';

/** Parses CSV as `sat stats --csv` writes it (quoted fields may hold commas, quotes, newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function json<T>(home: string, args: string[]): Promise<T> {
  const run = await sat(['--home', home, ...args, '--json']);
  expect(run.stderr).not.toMatch(/warning|error/i);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface ToolRow {
  tool: string;
  uses: number;
  successes: number;
  failures: number;
}

describe('sat stats, rebuild and phase', () => {
  it('every stats query on an empty store exits 0', async () => {
    const home = tempDir();
    for (const report of ['agents', 'tools', 'errors', 'session', 'cost']) {
      for (const format of [[], ['--json'], ['--csv']]) {
        const run = await sat(['--home', home, 'stats', report, ...format]);
        expect(run.code, `${report} ${format.join(' ')}: ${run.stderr}`).toBe(0);
      }
    }
  });

  it('reports the imported sample, in JSON and CSV, the same after a rebuild', async () => {
    const home = tempDir();
    const imported = await sat(['--home', home, 'import', '--sample']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).not.toMatch(/analytics not updated/);

    const tools = await json<{ tools: ToolRow[] }>(home, ['stats', 'tools', '--days', 'all']);
    const bash = tools.tools.find((t) => t.tool === 'Bash');
    expect(bash).toMatchObject({ uses: 18, successes: 16, failures: 2 });
    for (const tool of tools.tools) expect(tool.successes + tool.failures).toBe(tool.uses);
    expect(tools.tools.reduce((sum, t) => sum + t.uses, 0)).toBe(43);

    const agents = await json<{ agents: Array<{ agent: string; invocations: number }> }>(home, [
      'stats',
      'agents',
      '--days',
      'all',
    ]);
    expect(agents.agents.length).toBeGreaterThan(0);

    const errors = await json<{ totals: { errors: number } }>(home, ['stats', 'errors', '--days', 'all']);
    expect(errors.totals.errors).toBeGreaterThan(0);

    const show = await json<{ cost?: number; usage?: { cost: number } }>(home, ['show', SESSION]);
    const summary = await json<{ session: string; cost: number; tools: ToolRow[] }>(home, [
      'stats',
      'session',
      SESSION.slice(0, 8),
    ]);
    expect(summary.session).toBe(SESSION);
    expect(summary.cost).toBeCloseTo(0.1444475, 7);
    expect(JSON.stringify(show)).toContain('0.1444475');

    const cost = await json<{ cost: number; byAgent: Array<{ cost: number }> }>(home, [
      'stats',
      'cost',
      '--session',
      SESSION,
    ]);
    expect(cost.cost).toBeCloseTo(0.1444475, 7);
    const all = await json<{ cost: number; byAgent: Array<{ cost: number }> }>(home, [
      'stats',
      'cost',
      '--days',
      'all',
    ]);
    expect(all.byAgent.reduce((sum, a) => sum + a.cost, 0)).toBeCloseTo(all.cost, 6);

    const csv = await sat(['--home', home, 'stats', 'tools', '--days', 'all', '--csv']);
    expect(csv.code).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]).toEqual(['TOOL', 'USES', 'SUCCESSES', 'FAILURES', 'SUCCESS_RATE', 'AVG_MS', 'P95_MS']);
    expect(rows.length).toBe(tools.tools.length + 1);
    expect(rows.find((r) => r[0] === 'Bash')?.slice(1, 4)).toEqual(['18', '16', '2']);
    const errorCsv = await sat(['--home', home, 'stats', 'errors', '--days', 'all', '--csv']);
    const errorRows = parseCsv(errorCsv.stdout);
    expect(errorRows.length).toBeGreaterThan(1);
    for (const row of errorRows) expect(row.length).toBe(errorRows[0]!.length);

    const queries = [
      ['stats', 'agents', '--days', 'all'],
      ['stats', 'tools', '--days', 'all'],
      ['stats', 'errors', '--days', 'all'],
      ['stats', 'cost', '--days', 'all'],
      ['stats', 'session', SESSION],
    ];
    const before = await Promise.all(queries.map((q) => json<unknown>(home, q)));
    const rebuilt = await json<{ events: number; sessions: number }>(home, ['rebuild']);
    expect(rebuilt).toMatchObject({ events: 94, sessions: 4 });
    const after: unknown[] = [];
    for (const q of queries) after.push(await json<unknown>(home, q));
    expect(after).toEqual(before);
  });

  it('sat phase set moves the session on; later usage counts under the phase', async () => {
    const home = tempDir();
    const started = await sat(['--home', home, 'log', 'session_start']);
    expect(started.code).toBe(0);
    const session = started.stdout.trim();
    const none = await sat(['--home', home, 'phase']);
    expect(none.stdout).toMatch(/no phase set/);
    const usage = (id: string) =>
      sat([
        '--home',
        home,
        'log',
        'api_response',
        '--json',
        JSON.stringify({
          model: 'claude-opus-4-6',
          message_id: id,
          tokens: { input: 1000, output: 100, cacheCreation: 0, cacheRead: 0 },
          source: 'transcript',
        }),
      ]);
    expect((await usage('msg_1')).code).toBe(0);
    const set = await sat(['--home', home, 'phase', 'set', '2', '--name', 'review']);
    expect(set.code, set.stderr).toBe(0);
    const shown = await sat(['--home', home, 'phase']);
    expect(shown.stdout).toMatch(/phase 2 \(review\)/);
    expect(await json<{ session: string; phase: string }>(home, ['phase'])).toMatchObject({
      session,
      phase: '2',
    });
    expect((await usage('msg_2')).code).toBe(0);
    const cost = await json<{
      responses: number;
      byPhase: Array<{ phase: string | null; responses: number }>;
    }>(home, ['stats', 'cost']);
    expect(cost.responses).toBe(2);
    expect(cost.byPhase).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ phase: null, responses: 1 }),
        expect.objectContaining({ phase: '2', responses: 1 }),
      ]),
    );
    const inPhase = await json<{ responses: number }>(home, ['stats', 'cost', '--phase', '2']);
    expect(inPhase.responses).toBe(1);
  });
});
