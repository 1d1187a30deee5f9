import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadConfig,
  readSessionSummaryFile,
  sessionSummaryFilePath,
  writeSessionSummaryFiles,
} from '@sat/core';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

function stdin(session: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    session_id: session,
    cwd: '/somewhere',
    model: { id: 'claude-opus-4-7', display_name: 'Opus' },
    cost: { total_cost_usd: 0.5 },
    context_window: { used_percentage: 12 },
    ...extra,
  });
}

async function project() {
  const dir = tempDir();
  mkdirSync(join(dir, '.git'));
  const env = { CLAUDE_PROJECT_DIR: dir, SAT_HOME: '', SAT_CONFIG: '', COLUMNS: '80', NO_COLOR: '1' };
  const root = join(dir, '.claude');
  expect((await sat(['init', '--no-hooks'], { env, cwd: dir })).code).toBe(0);
  return { dir, env, root };
}

describe('sat statusline (in process)', () => {
  it('adds what sat knows (sub-agents, errors) from the summary file that ingest writes', async () => {
    const { dir, env, root } = await project();
    const log = (args: string[]) => sat(['log', ...args, '--session', 'sl-1'], { env, cwd: dir });
    expect(
      (
        await sat(['log', 'decision', '--question', 'Q', '--selected', 'A', '--session', 'sl-1', '--new'], {
          env,
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    expect(
      (await log(['agent_invocation', '--agent', 'Explore', '--status', 'started', '--agent-id', 'ag-1']))
        .code,
    ).toBe(0);
    expect((await log(['error', '--error-type', 'TestFailure', '--message', '2 failed'])).code).toBe(0);
    const written = await writeSessionSummaryFiles(loadConfig({ root }), ['sl-1']);
    expect(written).toEqual({ written: ['sl-1'], warnings: [] });
    const { summary } = readSessionSummaryFile(sessionSummaryFilePath(root, 'sl-1'));
    expect(summary).toMatchObject({ session: 'sl-1', agents: { running: 1 }, errors: { open: 1 } });

    const run = await sat(['statusline'], { env, cwd: dir, input: stdin('sl-1') });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('Opus | ctx 12% | $0.50 | 1 sub-agent | 1 error | no backup\n');
    const rows = await sat(['statusline', '--subagents'], { env, cwd: dir, input: stdin('sl-1') });
    expect(rows.stdout).toMatch(/^Explore ag-1 {2}\d+s {2}0 tools\n$/);
  });

  it('bad input, a missing summary and a bad segments key still print a line, exit 0 and log why', async () => {
    const { dir, env, root } = await project();
    const bad = await sat(['statusline'], { env, cwd: dir, input: 'not json' });
    expect(bad).toMatchObject({ code: 0, stdout: 'Claude\n', stderr: '' });
    const none = await sat(['statusline'], { env, cwd: dir, input: stdin('never-ingested') });
    expect(none.stdout).toBe('Opus | ctx 12% | $0.50\n');
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({ statusline: { segments: ['model', 'weather'] } }),
    );
    const config = await sat(['statusline'], { env, cwd: dir, input: stdin('never-ingested') });
    expect(config).toMatchObject({ code: 0, stdout: 'Opus | ctx 12% | $0.50\n' });
    const logged = readFileSync(join(root, 'sat', 'statusline', 'statusline.log'), 'utf8');
    expect(logged).toContain("stdin is not Claude Code's statusline JSON");
    expect(logged).toContain('no summary yet');
    expect(logged).toContain('statusline.segments in');
    expect(logged).toContain('unknown segment(s) "weather"');
    const status = await sat(['status'], { env, cwd: dir });
    expect(status.stderr).toMatch(/statusline\.segments/);
  });

  it('shows the configured segments in their order', async () => {
    const { dir, env, root } = await project();
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({ statusline: { segments: ['cost', 'model'] } }),
    );
    const run = await sat(['statusline'], { env, cwd: dir, input: stdin('x1') });
    expect(run.stdout).toBe('$0.50 | Opus\n');
  });
});
