import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { satProcess, tempDir } from './helpers.js';

/** Runs a settings command as Claude Code does: through a shell, JSON on stdin, in the project. */
function runCommand(
  command: string,
  project: string,
  input: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', command], {
    cwd: project,
    env: { ...process.env, CLAUDE_PROJECT_DIR: project, SAT_HOME: '', SAT_CONFIG: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const SESSION = '5b2d9e10-aaaa-4bbb-8ccc-123456789abc';

describe('sat statusline as Claude Code runs it (built bin)', () => {
  it('after real hook payloads are ingested it shows sub-agents and errors; a held lock prints the cached line', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const env = { CLAUDE_PROJECT_DIR: project, SAT_HOME: '', SAT_CONFIG: '' };
    const init = await satProcess(['init', '--statusline', '--json'], { env, cwd: project });
    expect(init.code, init.stderr).toBe(0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'));
    const hook = (event: string): string => settings.hooks[event].at(-1).hooks[0].command;
    const base = { session_id: SESSION, transcript_path: join(project, 'missing.jsonl'), cwd: project };
    const steps: Array<[string, Record<string, unknown>]> = [
      ['SessionStart', { source: 'startup' }],
      ['UserPromptSubmit', { prompt: 'Explore the code' }],
      [
        'PreToolUse',
        {
          tool_name: 'Agent',
          tool_input: { subagent_type: 'Explore', description: 'look around', prompt: 'look' },
          tool_use_id: 'toolu_agent',
        },
      ],
      ['SubagentStart', { agent_id: 'agent-7f3e', agent_type: 'Explore' }],
      [
        'PostToolUse',
        {
          tool_name: 'Read',
          tool_input: { file_path: join(project, 'README.md') },
          tool_use_id: 'toolu_r',
          tool_response: { content: 'x' },
          agent_id: 'agent-7f3e',
          agent_type: 'Explore',
        },
      ],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'pnpm test' }, tool_use_id: 'toolu_b' }],
      [
        'PostToolUseFailure',
        {
          tool_name: 'Bash',
          tool_input: { command: 'pnpm test' },
          tool_use_id: 'toolu_b',
          error: 'Exit code 1',
        },
      ],
    ];
    for (const [event, payload] of steps)
      expect(
        (
          await runCommand(
            hook(event),
            project,
            JSON.stringify({ ...base, hook_event_name: event, ...payload }),
          )
        ).code,
      ).toBe(0);
    expect((await satProcess(['ingest'], { env, cwd: project })).code).toBe(0);

    const input = JSON.stringify({
      session_id: SESSION,
      transcript_path: base.transcript_path,
      cwd: project,
      model: { id: 'claude-opus-4-7', display_name: 'Opus 4.7' },
      cost: { total_cost_usd: 0.42 },
      context_window: { used_percentage: 31, context_window_size: 200_000 },
    });
    const line = await runCommand(settings.statusLine.command, project, input, {
      COLUMNS: '80',
      NO_COLOR: '1',
    });
    expect(line).toEqual({
      code: 0,
      stdout: 'Opus 4.7 | ctx 31% | $0.42 | 1 sub-agent | 1 error | no backup\n',
      stderr: '',
    });
    const rows = await runCommand(settings.subagentStatusLine.command, project, input, { COLUMNS: '80' });
    expect(rows.stdout).toMatch(/^Explore\S* .*\d+s {2}1 tool\n$/);

    // A run in progress (a live pid in the lock): the second run prints the cached line, renders nothing.
    const dir = join(project, '.claude', 'sat', 'statusline');
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'statusline-line.lock'), String(holder.pid));
      writeFileSync(join(dir, `${SESSION}.line`), 'cached line\n');
      const busy = await runCommand(settings.statusLine.command, project, input, {
        COLUMNS: '80',
        NO_COLOR: '1',
      });
      expect(busy).toEqual({ code: 0, stdout: 'cached line\n', stderr: '' });
    } finally {
      holder.kill();
    }
    // Its holder gone, the lock is stale: the next run renders again.
    await new Promise((resolve) => holder.on('close', resolve));
    const again = await runCommand(settings.statusLine.command, project, input, {
      COLUMNS: '80',
      NO_COLOR: '1',
    });
    expect(again.stdout).toBe(line.stdout);
  });
});
