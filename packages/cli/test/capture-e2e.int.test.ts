import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, satProcess, tempDir } from './helpers.js';

/** Runs a hook command exactly as Claude Code does: through a shell, payload on stdin, in the project. */
function runHook(command: string, project: string, payload: unknown): Promise<number | null> {
  const child = spawn('sh', ['-c', command], {
    cwd: project,
    env: { ...process.env, CLAUDE_PROJECT_DIR: project },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(JSON.stringify(payload));
  return new Promise((resolve) => child.on('close', resolve));
}

describe('Claude Code capture end to end', () => {
  it('the hooks sat init installs capture a session that sat then shows, ingested in the background at Stop', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const env = { CLAUDE_PROJECT_DIR: project };
    // Installed by the built sat, so the hooks start that one (in the background) as a user's would.
    const init = await satProcess(['init', '--json'], { env, cwd: project });
    expect(init.code, init.stderr).toBe(0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'));
    const command = (event: string): string => settings.hooks[event].at(-1).hooks[0].command;
    expect(command('PreToolUse')).toBe('sh "$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh" PreToolUse');
    expect(existsSync(join(project, '.claude', 'sat', 'capture.sh'))).toBe(true);

    const session = '7a1c0e52-1111-4222-8333-444455556666';
    const base = { session_id: session, transcript_path: join(project, 'missing.jsonl'), cwd: project };
    const steps: Array<[string, Record<string, unknown>]> = [
      ['SessionStart', { source: 'startup' }],
      ['UserPromptSubmit', { prompt: 'List the files' }],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_e2e' }],
      [
        'PostToolUse',
        {
          tool_name: 'Bash',
          tool_input: { command: 'ls' },
          tool_use_id: 'toolu_e2e',
          tool_response: { stdout: 'a\nb' },
        },
      ],
      ['Stop', { stop_hook_active: false, last_assistant_message: 'Two files.' }],
    ];
    for (const [event, payload] of steps) {
      expect(await runHook(command(event), project, { ...base, hook_event_name: event, ...payload })).toBe(0);
    }
    // Stop started `sat ingest` in the background: the spool empties without any sat command.
    const spool = join(project, '.claude', 'logs', 'spool');
    const deadline = Date.now() + 20_000;
    while (
      readdirSync(spool).some((n) => n.endsWith('.json') && !n.startsWith('.')) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(readdirSync(spool).filter((n) => n.endsWith('.json') && !n.startsWith('.'))).toEqual([]);

    const events = (await sat(['events', session, '--json'], { env, cwd: project })).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.type)).toEqual(['session_start', 'user_prompt', 'tool_usage', 'turn_end']);
    expect(events[2].data).toMatchObject({ tool: 'Bash', success: true, tool_use_id: 'toolu_e2e' });
  });

  it('at SessionStart after a resume, the hook prints the latest handoff as additional context', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const env = { CLAUDE_PROJECT_DIR: project };
    expect((await satProcess(['init'], { env, cwd: project })).code).toBe(0);
    writeFileSync(
      join(project, '.claude', 'handoffs', 'latest-previous.md'),
      '# Handoff\n\nGoal: finish the linter setup',
    );
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'));
    const command: string = settings.hooks.SessionStart.at(-1).hooks[0].command;
    const child = spawn('sh', ['-c', command], {
      cwd: project,
      env: { ...process.env, CLAUDE_PROJECT_DIR: project },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end(
      JSON.stringify({
        session_id: 'resumed-1',
        transcript_path: '/x',
        cwd: project,
        hook_event_name: 'SessionStart',
        source: 'resume',
      }),
    );
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const output = JSON.parse(out);
    expect(output.hookSpecificOutput.hookEventName).toBe('SessionStart');
    expect(output.hookSpecificOutput.additionalContext).toContain('Goal: finish the linter setup');
  });

  it('at SessionEnd the background ingest closes the session, writes its handoff and backs it up by itself', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const env = { CLAUDE_PROJECT_DIR: project };
    expect((await satProcess(['init'], { env, cwd: project })).code).toBe(0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'));
    const command = (event: string): string => settings.hooks[event].at(-1).hooks[0].command;
    const session = '7a1c0e52-2222-4222-8333-444455556666';
    const base = { session_id: session, transcript_path: join(project, 'missing.jsonl'), cwd: project };
    const steps: Array<[string, Record<string, unknown>]> = [
      ['SessionStart', { source: 'startup' }],
      ['UserPromptSubmit', { prompt: 'Add a test' }],
      ['SessionEnd', { reason: 'logout' }],
    ];
    for (const [event, payload] of steps)
      expect(await runHook(command(event), project, { ...base, hook_event_name: event, ...payload })).toBe(0);

    // No sat command is run: the hook's background ingest does the whole job.
    const bundle = join(project, '.claude', 'backups', 'SubAgentTracking', 'Phase_0', 'sessions', session);
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(bundle, 'manifest.json')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readdirSync(bundle)).toEqual(expect.arrayContaining(['bundle.tar.gz', 'manifest.json']));
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest.log.closed).toBe(true);
    expect(manifest.files.map((f: { kind: string }) => f.kind)).toContain('handoff');
    const listed = JSON.parse((await sat(['backups', '--json'], { env, cwd: project })).stdout);
    expect(JSON.stringify(listed)).toContain(session);
  });
});
