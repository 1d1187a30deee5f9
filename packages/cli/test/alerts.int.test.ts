import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, satProcess, tempDir } from './helpers.js';

/** Runs a hook command exactly as Claude Code does: through a shell, payload on stdin, in the project. */
function runHook(command: string, project: string, env: Record<string, string>, payload: unknown) {
  const child = spawn('sh', ['-c', command], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(JSON.stringify(payload));
  return new Promise<number | null>((resolve) => child.on('close', resolve));
}

/** One main-agent response whose input fills `used` tokens of the context. */
function assistantLine(session: string, n: number, used: number): string {
  return JSON.stringify({
    type: 'assistant',
    uuid: `u-${n}`,
    parentUuid: null,
    sessionId: session,
    timestamp: new Date(Date.now() - 1000 + n).toISOString(),
    requestId: `req_${n}`,
    isSidechain: false,
    message: {
      model: 'claude-opus-4-6',
      id: `msg_${n}`,
      role: 'assistant',
      type: 'message',
      content: [{ type: 'text', text: 'Working on it.' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: used,
        output_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  });
}

describe('live alerts from real hooks', () => {
  it('a transcript past 90% of the window makes the background ingest at Stop raise one context alert', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const claudeDir = join(project, 'claude-config');
    const env = { CLAUDE_PROJECT_DIR: project, CLAUDE_CONFIG_DIR: claudeDir };
    expect((await satProcess(['init'], { env, cwd: project })).code).toBe(0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'));
    const command = (event: string): string => settings.hooks[event].at(-1).hooks[0].command;

    const session = '7a1c0e52-9999-4222-8333-444455556666';
    const transcripts = join(claudeDir, 'projects', 'alerts-project');
    mkdirSync(transcripts, { recursive: true });
    const transcript = join(transcripts, `${session}.jsonl`);
    writeFileSync(
      transcript,
      `${assistantLine(session, 1, 60_000)}\n${assistantLine(session, 2, 186_000)}\n`,
    );
    const base = { session_id: session, transcript_path: transcript, cwd: project };
    const steps: Array<[string, Record<string, unknown>]> = [
      ['SessionStart', { source: 'startup' }],
      ['UserPromptSubmit', { prompt: 'Refactor the parser' }],
      ['Stop', { stop_hook_active: false, last_assistant_message: 'Done.' }],
    ];
    for (const [event, payload] of steps)
      expect(
        await runHook(command(event), project, env, { ...base, hook_event_name: event, ...payload }),
      ).toBe(0);

    const spool = join(project, '.claude', 'logs', 'spool');
    const alerts = async () =>
      (await sat(['events', session, '--json'], { env, cwd: project })).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((e) => e.type === 'alert');
    const deadline = Date.now() + 30_000;
    let found: Array<{ data: Record<string, unknown> }> = [];
    while (Date.now() < deadline) {
      const pending = readdirSync(spool).some((n) => n.endsWith('.json') && !n.startsWith('.'));
      if (!pending) {
        found = await alerts();
        if (found.length > 0) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(found.map((e) => e.data)).toEqual([
      expect.objectContaining({ kind: 'context', level: 'warning', value: 0.93, threshold: 0.9 }),
    ]);
    // Ingesting again (nothing new) raises nothing more.
    expect((await satProcess(['ingest'], { env, cwd: project })).code).toBe(0);
    expect(await alerts()).toHaveLength(1);
    const status = await sat(['status', session], { env, cwd: project });
    expect(status.stdout).toMatch(/alert\s+warning: context 93% full/);
  });
});
