import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gitBlobHash } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { REPO, sat, tempDir } from './helpers.js';

const BUNDLED = join(REPO, 'packages', 'cli', 'fixtures', 'claude-code');
const EXPECTED = JSON.parse(readFileSync(join(BUNDLED, 'EXPECTED.json'), 'utf8')) as Record<
  string,
  { tokens: Tokens; api_responses: number; tool_results: number; tool_errors: number }
>;

interface Tokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

const add = (a: Tokens, b: Tokens): Tokens => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheCreation: a.cacheCreation + b.cacheCreation,
  cacheRead: a.cacheRead + b.cacheRead,
});

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('sat import', () => {
  it('--sample imports the bundled transcripts once; sessions and show give the exact tokens and cost', async () => {
    const home = tempDir();
    const first = await sat(['import', '--sample', '--json'], { home });
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({
      files: 5,
      filesRead: 5,
      skippedUnchanged: 0,
      issues: [],
      unknownModels: [],
    });
    expect(result.sessions).toHaveLength(4);
    expect(result.appended).toBeGreaterThan(80);
    const second = JSON.parse((await sat(['import', '--sample', '--json'], { home })).stdout);
    expect(second).toMatchObject({ appended: 0, skippedUnchanged: 5, filesRead: 0 });

    const [short, main, subOnly, sessions, table, human] = await Promise.all([
      sat(['show', '5560', '--json'], { home }),
      sat(['show', '491e126e', '--json'], { home }),
      sat(['show', '8463c716-a2ea-4c14-9efa-87158ebd9f20', '--json'], { home }),
      sat(['sessions', '--json'], { home }),
      sat(['sessions'], { home }),
      sat(['show', '491e'], { home }),
    ]);
    // short.jsonl: one opus-4-6 response: 3 input, 13 output, 13,835 written to the 1-hour cache,
    // 11,515 cache reads. At $5 / $25 / $10 (2 x input) / $0.50 (0.1 x input) per million:
    // (3*5 + 13*25 + 13835*10 + 11515*0.5) / 1e6 = 144447.5 / 1e6.
    const shortJson = JSON.parse(short.stdout);
    expect(shortJson.tokens).toEqual(EXPECTED['spotter/short.jsonl']!.tokens);
    expect(shortJson.cost).toBeCloseTo(0.1444475, 12);
    expect(shortJson.byAgent.main.cost).toBeCloseTo(0.1444475, 12);
    expect(shortJson).toMatchObject({ prompts: 1, errorTypes: { tool_error: 2 }, unknownModels: [] });
    expect(shortJson.tools).toMatchObject({ Bash: { uses: 1, failures: 1 }, Glob: { uses: 1, failures: 1 } });

    // subagent.jsonl: the main agent's responses plus the Plan sub-agent's Task result (its file is missing).
    const mainJson = JSON.parse(main.stdout);
    const estimate = { input: 3, output: 3130, cacheCreation: 892, cacheRead: 29869 };
    expect(mainJson.tokens).toEqual(add(EXPECTED['spotter/subagent.jsonl']!.tokens, estimate));
    expect(mainJson.byAgent.main.tokens).toEqual(EXPECTED['spotter/subagent.jsonl']!.tokens);
    expect(mainJson.byAgent.Plan.tokens).toEqual(estimate);
    expect(mainJson.agents).toEqual({
      Plan: { invocations: 1, completed: 1, failed: 0, unfinished: 0, durationMs: 38799 },
    });
    expect(mainJson.estimatedResponses).toBe(1);
    expect(mainJson.filesChanged).toEqual([
      { path: '/home/marco/projects/spotter/plan.md', operations: ['create'], count: 1 },
    ]);

    const subJson = JSON.parse(subOnly.stdout);
    expect(subJson.tokens).toEqual(
      add(
        EXPECTED['spotter/subagents/agent-a7be2f0.jsonl']!.tokens,
        EXPECTED['spotter/subagents/agent-acompact-f46190.jsonl']!.tokens,
      ),
    );
    expect(Object.keys(subJson.byAgent).sort()).toEqual(['agent-a7be2f0', 'compact']);
    expect(subJson.byAgent.compact.tokens).toEqual(
      EXPECTED['spotter/subagents/agent-acompact-f46190.jsonl']!.tokens,
    );

    const listed = JSON.parse(sessions.stdout) as Array<{ session: string; tokens: Tokens; cost: number }>;
    expect(listed).toHaveLength(4);
    const shortRow = listed.find((s) => s.session.startsWith('55604662'))!;
    expect(shortRow.tokens).toEqual(EXPECTED['spotter/short.jsonl']!.tokens);
    expect(shortRow.cost).toBeCloseTo(0.1444475, 12);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toBe('SESSION\tOWNER\tSTARTED\tENDED\tEVENTS\tTOKENS\tCOST\tSIZE\tBACKED UP');
    expect(lines.find((l) => l.startsWith('55604662'))).toContain('\t25.4k\t$0.1444\t');

    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(
      'tokens      490,184 (input 1,579, output 4,716, cache write 26,734, cache read 457,155)',
    );
    expect(human.stdout).toMatch(/\nPlan\t1\t1 completed\t38\.8 s\t1\t33,894\t\$0\.0204/);
    expect(human.stdout).toContain('claude-haiku-4-5-20251001');
    expect(human.stdout).toContain('create          /home/marco/projects/spotter/plan.md');
  });

  it('says clearly when there is nothing to import, and fails on a missing path', async () => {
    const home = tempDir();
    const none = await sat(['import'], { home, env: { CLAUDE_CONFIG_DIR: join(home, 'no-claude') } });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${join(home, 'no-claude', 'projects')} does not exist`);
    expect(none.stderr).toContain('sat import --sample');
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await sat(['import', join(home, 'nope.jsonl')], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot import ${join(home, 'nope.jsonl')}: no such file or folder`);
  });

  it('reports bad lines with file and line, and a model with no price by name (never priced at 0)', async () => {
    const home = tempDir();
    const file = join(home, 'nova.jsonl');
    const line = (id: string, model: string, input: number) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 'nova-session',
        timestamp: '2026-03-01T10:00:00.000Z',
        requestId: `req_${id}`,
        message: {
          id,
          model,
          role: 'assistant',
          content: [{ type: 'text', text: 'hi' }],
          usage: { input_tokens: input, output_tokens: 0 },
        },
      });
    writeFileSync(
      file,
      `${line('msg_1', 'claude-nova-9', 1_000_000)}\nnot json at all\n${line('msg_2', 'claude-haiku-4-5', 1_000_000)}\n`,
    );
    const imported = await sat(['import', file], { home });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(
      /^read 1 of 1 transcript file .*: 3 events appended to 1 session, 0 already there/,
    );
    expect(imported.stderr).toContain(`${file}: line 2 is not valid JSON`);
    expect(imported.stderr).toContain('no price for model(s) claude-nova-9');

    const shown = await sat(['show', 'nova-session'], { home });
    expect(shown.stdout).toContain('cost        $1.0000 + unpriced');
    expect(shown.stdout).toContain('no price for claude-nova-9');
    expect(shown.stdout).toMatch(/claude-nova-9\t1\t1,000,000\t0\t0\t0\tno price/);
    const json = JSON.parse((await sat(['show', 'nova-session', '--json'], { home })).stdout);
    expect(json).toMatchObject({ cost: 1, unknownModels: ['claude-nova-9'] });
    expect(json.byModel['claude-nova-9'].cost).toBeUndefined();

    // A price from the config file prices it.
    writeFileSync(
      join(home, 'sat.config.json'),
      JSON.stringify({ prices: { 'claude-nova-9': { input: 2, output: 10 } } }),
    );
    const priced = JSON.parse((await sat(['show', 'nova-session', '--json'], { home })).stdout);
    expect(priced).toMatchObject({ cost: 3, unknownModels: [] });
  });

  it('bundles byte-exact copies of the real sample transcripts (git blob SHAs of SOURCES.md), shipped with the package', () => {
    const sources = readFileSync(join(BUNDLED, 'SOURCES.md'), 'utf8');
    const listed = [...sources.matchAll(/^\| `(spotter\/[^`]+)`\s*\|[^|]*\|\s*`([0-9a-f]{40})`/gm)].map(
      (m) => [m[1] as string, m[2] as string] as const,
    );
    const bundled = files(join(BUNDLED, 'spotter')).map((f) => relative(BUNDLED, f));
    expect(listed.map(([name]) => name).sort()).toEqual(bundled.sort());
    for (const [name, sha] of listed) expect(gitBlobHash(readFileSync(join(BUNDLED, name))), name).toBe(sha);
    expect(readFileSync(join(BUNDLED, 'SOURCES.md'), 'utf8')).toContain('marot/spotter');
    expect(readFileSync(join(BUNDLED, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2026 marot');
    const pkg = JSON.parse(readFileSync(join(REPO, 'packages', 'cli', 'package.json'), 'utf8'));
    expect(pkg.files).toContain('fixtures/claude-code/spotter');
    expect(pkg.files).toContain('!fixtures/claude-code/EXPECTED.json');
  });
});
