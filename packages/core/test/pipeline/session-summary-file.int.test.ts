import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  captureScript,
  ingestCapture,
  loadConfig,
  loadSessionState,
  readSessionSummaryFile,
  sessionLogFiles,
  sessionSummaryFilePath,
  spoolDir,
  summarizeSessionState,
  writeSessionSummaryFiles,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

const SESSION = '3e0c1d2e-0000-4000-8000-0000000051a7';

describe('the per-session summary file', () => {
  it('ingest writes it from the state sat status uses; alerts of the last hour are listed', async () => {
    const root = tempDir();
    const config = loadConfig({
      root,
      env: {},
      overrides: { statusline: { segments: ['model', 'errors'] } },
    });
    const script = join(root, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spoolDir(config.paths.logs) }));
    const base = { session_id: SESSION, transcript_path: join(root, 'none.jsonl'), cwd: root };
    const payloads = [
      { hook_event_name: 'SessionStart', source: 'startup' },
      { hook_event_name: 'UserPromptSubmit', prompt: 'Fix the tests' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Agent',
        tool_input: { subagent_type: 'Explore', prompt: 'look' },
        tool_use_id: 'toolu_a',
      },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm t' },
        tool_use_id: 'toolu_b',
      },
      {
        hook_event_name: 'PostToolUseFailure',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm t' },
        tool_use_id: 'toolu_b',
        error: 'Exit code 1',
      },
      { hook_event_name: 'Stop', last_assistant_message: 'Looking.' },
    ];
    for (const payload of payloads)
      expect(
        spawnSync('sh', [script, payload.hook_event_name], { input: JSON.stringify({ ...base, ...payload }) })
          .status,
      ).toBe(0);
    const result = await ingestCapture(config);
    expect(result.warnings).toEqual([]);

    const path = sessionSummaryFilePath(config.root, SESSION);
    const { summary, bytes } = readSessionSummaryFile(path);
    const { state } = await loadSessionState(config, SESSION);
    const status = summarizeSessionState(state, config.prices);
    expect(bytes).toBeLessThan(4096);
    expect(summary).toMatchObject({
      v: 1,
      session: SESSION,
      lastSeq: state.lastSeq,
      cost: status.cost,
      totalTokens: status.totalTokens,
      agents: { running: 1 },
      running: [{ agent: 'Explore' }],
      errors: { open: status.openErrors },
      segments: ['model', 'errors'],
      alerts: [],
    });
    expect(status.openErrors).toBe(1);

    // An alert event in the live log is current for an hour.
    const { plain } = sessionLogFiles(config.paths.logs, SESSION);
    const alert = (ts: string, message: string) =>
      `${JSON.stringify({ id: `a-${ts}`, session: SESSION, seq: 99, ts, type: 'alert', agent: 'main', v: 1, data: { kind: 'context', level: 'warning', message } })}\n`;
    appendFileSync(
      plain,
      alert('2026-12-07T10:00:00.000Z', 'old') + alert('2026-12-07T11:30:00.000Z', 'context 91% full'),
    );
    await writeSessionSummaryFiles(config, [SESSION], new Date('2026-12-07T12:00:00Z'));
    expect(readSessionSummaryFile(path).summary?.alerts).toEqual([
      { at: '2026-12-07T11:30:00.000Z', level: 'warning', kind: 'context', message: 'context 91% full' },
    ]);
  }, 60_000);

  it('a missing, oversized or foreign file is a problem, never a throw', () => {
    const root = tempDir();
    expect(readSessionSummaryFile(join(root, 'none.json')).problem).toMatch(/no summary yet/);
    writeFileSync(join(root, 'bad.json'), '{"v":');
    expect(readSessionSummaryFile(join(root, 'bad.json')).problem).toMatch(/not JSON/);
    writeFileSync(join(root, 'old.json'), '{"v":0}');
    expect(readSessionSummaryFile(join(root, 'old.json')).problem).toMatch(/version 0/);
    writeFileSync(join(root, 'big.json'), 'x'.repeat(300 * 1024));
    expect(readSessionSummaryFile(join(root, 'big.json'))).toMatchObject({
      bytes: 0,
      problem: expect.stringMatching(/more than/),
    });
  });
});
