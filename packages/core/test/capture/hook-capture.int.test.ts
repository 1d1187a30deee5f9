import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  captureScript,
  closeSessionLog,
  gitBlobHash,
  ingestHookSpool,
  spoolDir,
  writeCaptureScript,
} from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';

const SESSION = '5f3c1d2e-0000-4000-8000-00000000abcd';
const base = {
  session_id: SESSION,
  transcript_path: '/home/u/.claude/projects/-p/x.jsonl',
  cwd: '/p',
  permission_mode: 'default',
};

function setup(): { logsDir: string; script: string } {
  const root = tempDir();
  const logsDir = join(root, 'logs');
  const script = join(root, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  return { logsDir, script };
}

/** Runs the capture hook as Claude Code does: a new process, the payload on stdin. */
function capture(
  script: string,
  event: string,
  payload: unknown,
  env: Record<string, string> = {},
): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  const child = spawn('sh', [script, event], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stdin.on('error', () => {});
  child.stdin.end(
    typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  );
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, ms: performance.now() - started })),
  );
}

async function sequence(script: string, payloads: Array<Record<string, unknown>>): Promise<void> {
  for (const payload of payloads) {
    const { code } = await capture(script, String(payload.hook_event_name), { ...base, ...payload });
    expect(code).toBe(0);
  }
}

describe('the capture hook and the ingester', () => {
  it('turn every documented hook payload into the right events', async () => {
    const { logsDir, script } = setup();
    const written = 'export const x = 1;\n';
    await sequence(script, [
      { hook_event_name: 'SessionStart', source: 'startup', model: 'claude-opus-4-6' },
      { hook_event_name: 'UserPromptSubmit', prompt: 'Add a linter and fix what it finds' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm lint' },
        tool_use_id: 'toolu_bash',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm lint' },
        tool_use_id: 'toolu_bash',
        tool_response: { stdout: 'ok', stderr: '' },
        duration_ms: 812,
      },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm test' },
        tool_use_id: 'toolu_fail',
      },
      {
        hook_event_name: 'PostToolUseFailure',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm test' },
        tool_use_id: 'toolu_fail',
        error: 'Exit code 1\n2 tests failed',
        is_interrupt: false,
      },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Write',
        tool_input: { file_path: '/p/src/x.ts', content: written },
        tool_use_id: 'toolu_write',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Write',
        tool_input: { file_path: '/p/src/x.ts', content: written },
        tool_use_id: 'toolu_write',
        tool_response: { type: 'create', filePath: '/p/src/x.ts' },
      },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: '/p/src/y.ts', old_string: 'a', new_string: 'b' },
        tool_use_id: 'toolu_edit',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: '/p/src/y.ts', old_string: 'a', new_string: 'b' },
        tool_use_id: 'toolu_edit',
        tool_response: {},
      },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Task',
        tool_input: { description: 'Review the diff', prompt: 'Review it', subagent_type: 'code-reviewer' },
        tool_use_id: 'toolu_task',
      },
      { hook_event_name: 'SubagentStart', agent_id: 'a1b2c3', agent_type: 'code-reviewer' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Read',
        tool_input: { file_path: '/p/src/x.ts' },
        tool_use_id: 'toolu_read',
        agent_id: 'a1b2c3',
        agent_type: 'code-reviewer',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Read',
        tool_input: { file_path: '/p/src/x.ts' },
        tool_use_id: 'toolu_read',
        agent_id: 'a1b2c3',
        agent_type: 'code-reviewer',
        tool_response: { type: 'text' },
      },
      {
        hook_event_name: 'SubagentStop',
        agent_id: 'a1b2c3',
        agent_type: 'code-reviewer',
        agent_transcript_path: '/home/u/.claude/projects/-p/x/subagents/agent-a1b2c3.jsonl',
        stop_hook_active: false,
        last_assistant_message: 'Looks good.',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Task',
        tool_input: { description: 'Review the diff', prompt: 'Review it', subagent_type: 'code-reviewer' },
        tool_use_id: 'toolu_task',
        tool_response: {
          status: 'completed',
          agentId: 'a1b2c3',
          totalDurationMs: 41000,
          totalTokens: 5000,
          totalToolUseCount: 1,
          usage: {
            input_tokens: 10,
            output_tokens: 200,
            cache_creation_input_tokens: 300,
            cache_read_input_tokens: 4490,
          },
        },
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'AskUserQuestion',
        tool_input: {
          questions: [
            {
              question: 'Which linter?',
              header: 'Linter',
              options: [{ label: 'Biome' }, { label: 'ESLint' }],
              multiSelect: false,
            },
          ],
        },
        tool_use_id: 'toolu_ask',
        tool_response: { answers: { 'Which linter?': 'Biome' } },
      },
      { hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: '' },
      { hook_event_name: 'PostCompact', trigger: 'auto', compact_summary: 'summary' },
      {
        hook_event_name: 'Notification',
        message: 'Claude needs your permission to use Bash',
        title: 'Permission',
        notification_type: 'permission_prompt',
      },
      { hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Done: linter added.' },
      { hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' },
    ]);
    const result = await ingestHookSpool({ logsDir });
    expect(result.files).toBe(22);
    expect(result.bad).toEqual([]);
    expect(result.endedSessions).toEqual([SESSION]);
    expect(result.transcripts).toContain('/home/u/.claude/projects/-p/x/subagents/agent-a1b2c3.jsonl');
    expect(readdirSync(spoolDir(logsDir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'))).toEqual(
      [],
    );

    const { events, issues } = await readAll(logsDir, SESSION);
    expect(issues).toEqual([]);
    const by = (type: string) => events.filter((e) => e.type === type);
    expect(events[0]).toMatchObject({
      type: 'session_start',
      data: { source: 'startup', model: 'claude-opus-4-6', client: 'claude-code', cwd: '/p' },
    });
    expect(by('user_prompt')[0]!.data).toEqual({ text: 'Add a linter and fix what it finds', chars: 34 });
    const tools = by('tool_usage');
    expect(
      tools.map((e) => [
        e.agent,
        (e.data as { tool: string }).tool,
        (e.data as { success: boolean }).success,
      ]),
    ).toEqual([
      ['main', 'Bash', true],
      ['main', 'Bash', false],
      ['main', 'Write', true],
      ['main', 'Edit', true],
      ['code-reviewer', 'Read', true],
      ['main', 'Task', true],
      ['main', 'AskUserQuestion', true],
    ]);
    expect(tools[0]!.data).toMatchObject({
      duration_ms: 812,
      tool_use_id: 'toolu_bash',
      parameters: { command: 'pnpm lint' },
    });
    expect((tools[1]!.data as { duration_ms: number }).duration_ms).toBeGreaterThanOrEqual(0);
    expect(tools[4]!.meta).toMatchObject({ agent_id: 'a1b2c3' });
    expect(by('error')[0]!.data).toMatchObject({
      error_type: 'exit_code_1',
      tool_use_id: 'toolu_fail',
      context: { tool: 'Bash' },
    });
    expect(by('file_operation').map((e) => e.data)).toEqual([
      { operation: 'create', path: '/p/src/x.ts', git_hash: gitBlobHash(written), bytes: written.length },
      { operation: 'modify', path: '/p/src/y.ts', diff: '@@\n-a\n+b' },
    ]);
    const invocations = by('agent_invocation');
    expect(invocations.map((e) => (e.data as { status: string }).status)).toEqual(['started', 'completed']);
    expect(invocations[1]!.data).toMatchObject({
      agent: 'code-reviewer',
      invoked_by: 'main',
      agent_id: 'a1b2c3',
      duration_ms: 41000,
      success: true,
      tokens: { input: 10, output: 200, cacheCreation: 300, cacheRead: 4490 },
    });
    expect(by('decision')[0]!.data).toEqual({
      question: 'Which linter?',
      options: ['Biome', 'ESLint'],
      selected: 'Biome',
      rationale: 'answered by the user',
    });
    expect(by('context_snapshot').map((e) => (e.data as { trigger: string }).trigger)).toEqual([
      'pre-compact:auto',
      'post-compact:auto',
    ]);
    expect(by('notification')[0]!.data).toMatchObject({ notification_type: 'permission_prompt' });
    expect(by('turn_end').map((e) => [e.agent, (e.data as { last_message: string }).last_message])).toEqual([
      ['code-reviewer', 'Looks good.'],
      ['main', 'Done: linter added.'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'session_end', data: { reason: 'prompt_input_exit' } });
    // The raw payloads are all kept.
    const raw = readFileSync(join(logsDir, 'raw', `${SESSION}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    expect(raw).toHaveLength(22);
    expect(JSON.parse(raw[3]!).payload.tool_response).toEqual({ stdout: 'ok', stderr: '' });
  }, 60_000);

  it('32 concurrent hook processes: every payload captured whole, none lost', async () => {
    const { logsDir, script } = setup();
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        capture(script, 'PostToolUse', {
          ...base,
          hook_event_name: 'PostToolUse',
          tool_name: 'Read',
          tool_input: { file_path: `/p/f${i}` },
          tool_use_id: `toolu_${i}`,
          tool_response: { n: i, pad: 'x'.repeat(50_000) },
        }),
      ),
    );
    expect(results.every((r) => r.code === 0)).toBe(true);
    const result = await ingestHookSpool({ logsDir });
    expect(result.files).toBe(32);
    expect(result.bad).toEqual([]);
    const { events } = await readAll(logsDir, SESSION);
    expect(new Set(events.map((e) => (e.data as { tool_use_id: string }).tool_use_id)).size).toBe(32);
  }, 60_000);

  it('keeps a 1 MB tool response whole, and garbage or empty stdin never fails the hook', async () => {
    const { logsDir, script } = setup();
    const big = 'y'.repeat(1024 * 1024);
    expect(
      (
        await capture(script, 'PostToolUse', {
          ...base,
          hook_event_name: 'PostToolUse',
          tool_name: 'Bash',
          tool_use_id: 'toolu_big',
          tool_input: { command: 'cat big' },
          tool_response: { stdout: big },
        })
      ).code,
    ).toBe(0);
    expect((await capture(script, 'PreToolUse', '{"session_id": "x", garbage')).code).toBe(0);
    expect((await capture(script, 'PreToolUse', Buffer.from([0xff, 0x00, 0xfe]))).code).toBe(0);
    expect((await capture(script, 'Stop', '')).code).toBe(0);
    const result = await ingestHookSpool({ logsDir });
    expect(result.appended).toBe(1);
    expect(result.bad.map((b) => b.reason)).toEqual([
      expect.stringContaining('not a hook payload'),
      expect.stringContaining('not a hook payload'),
      expect.stringContaining('not a hook payload'),
    ]);
    expect(readdirSync(join(spoolDir(logsDir), 'bad')).filter((n) => n.endsWith('.json'))).toHaveLength(3);
    const raw = JSON.parse(readFileSync(join(logsDir, 'raw', `${SESSION}.jsonl`), 'utf8'));
    expect(raw.payload.tool_response.stdout).toBe(big);
  }, 60_000);

  it('creates a missing spool folder, and on a full disk exits 0 and leaves a note', async (ctx) => {
    const { logsDir, script } = setup();
    rmSync(spoolDir(logsDir), { recursive: true, force: true });
    expect((await capture(script, 'Stop', { ...base, hook_event_name: 'Stop' })).code).toBe(0);
    expect((await ingestHookSpool({ logsDir })).appended).toBe(1);

    const mount = tempDir('sat-tinyfs-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      ctx.skip(
        'mounting a tmpfs is not permitted here (needs root): the full-disk capture variant was not run',
      );
    }
    try {
      const spool = join(mount, 'spool');
      const run = await capture(
        script,
        'PostToolUse',
        { ...base, hook_event_name: 'PostToolUse', tool_response: 'z'.repeat(512 * 1024) },
        { SAT_SPOOL_DIR: spool },
      );
      expect(run.code).toBe(0);
      expect(readdirSync(spool).filter((n) => n.endsWith('.json'))).toEqual([]);
      expect(readdirSync(join(spool, '.tmp'))).toEqual([]);
      expect(readFileSync(join(spool, 'errors.log'), 'utf8')).toMatch(/PostToolUse capture failed/);
    } finally {
      execFileSync('umount', [mount]);
    }
  }, 60_000);

  it('is idempotent: a run interrupted before the spool was cleared writes nothing twice', async () => {
    const { logsDir, script } = setup();
    await sequence(script, [
      { hook_event_name: 'SessionStart', source: 'startup' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
        tool_use_id: 'toolu_1',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
        tool_use_id: 'toolu_1',
        tool_response: {},
      },
    ]);
    const spool = spoolDir(logsDir);
    const saved = join(tempDir(), 'saved');
    mkdirSync(saved);
    const names = readdirSync(spool).filter((n) => n.endsWith('.json'));
    for (const name of names) copyFileSync(join(spool, name), join(saved, name));
    const first = await ingestHookSpool({ logsDir });
    expect(first.appended).toBe(2);
    for (const name of names) copyFileSync(join(saved, name), join(spool, name));
    rmSync(join(spool, '.state.json'));
    const again = await ingestHookSpool({ logsDir });
    expect(again.appended).toBe(0);
    expect(again.duplicates).toBe(2);
    expect((await readAll(logsDir, SESSION)).events).toHaveLength(2);
  }, 60_000);

  it('records a call whose result never came, and reopens a session resumed after it was closed', async () => {
    const { logsDir, script } = setup();
    await sequence(script, [
      { hook_event_name: 'SessionStart', source: 'startup' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'sleep 999' },
        tool_use_id: 'toolu_hang',
      },
      { hook_event_name: 'SessionEnd', reason: 'other' },
    ]);
    const first = await ingestHookSpool({ logsDir });
    expect(first.pendingToolCalls).toBe(1);
    await closeSessionLog(logsDir, SESSION);
    await sequence(script, [{ hook_event_name: 'SessionStart', source: 'resume' }]);
    const later = await ingestHookSpool({ logsDir, now: () => Date.now() + 2 * 3_600_000 });
    expect(later.pendingToolCalls).toBe(0);
    const { events } = await readAll(logsDir, SESSION);
    expect(events.map((e) => e.type)).toEqual([
      'session_start',
      'session_end',
      'session_start',
      'tool_usage',
    ]);
    expect(events[3]!.data).toMatchObject({
      tool: 'Bash',
      success: false,
      error: expect.stringContaining('no result was recorded'),
    });
    expect(existsSync(join(logsDir, `${SESSION}.jsonl`))).toBe(true);
  }, 60_000);

  it('starts the background sat with the data root it was installed for, whatever the environment', async () => {
    const root = tempDir();
    const seen = join(root, 'seen.txt');
    const fakeSat = join(root, 'fake-sat.sh');
    writeFileSync(fakeSat, `echo "$SAT_HOME $*" >>'${seen}'\n`);
    const { path } = writeCaptureScript(root, {
      spoolDir: spoolDir(join(root, 'logs')),
      satCommand: `sh '${fakeSat}'`,
    });
    const { code } = await capture(path, 'Stop', { ...base, hook_event_name: 'Stop' }, { SAT_HOME: '' });
    expect(code).toBe(0);
    for (let i = 0; i < 100 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(seen, 'utf8')).toBe(`${root} ingest --quiet\n`);
  });
});
