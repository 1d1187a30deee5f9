import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  captureScript,
  digestCacheDir,
  ingestCapture,
  listSnapshots,
  loadConfig,
  refreshDigestCache,
  sessionLogFiles,
  spoolDir,
} from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';

const SESSION = '9d0c1d2e-0000-4000-8000-00000000beef';

describe('ingestCapture at the end of a session', () => {
  it('ingests, snapshots, writes the handoff, then closes the log', async () => {
    const root = tempDir();
    const config = loadConfig({ root, env: {} });
    const script = join(root, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spoolDir(config.paths.logs) }));
    const base = { session_id: SESSION, transcript_path: join(root, 'none.jsonl'), cwd: root };
    const payloads = [
      { hook_event_name: 'SessionStart', source: 'startup' },
      { hook_event_name: 'UserPromptSubmit', prompt: 'Set up the linter' },
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm lint' },
        tool_use_id: 'toolu_1',
      },
      {
        hook_event_name: 'PostToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'pnpm lint' },
        tool_use_id: 'toolu_1',
        tool_response: {},
      },
      { hook_event_name: 'Stop', last_assistant_message: 'Linter set up.' },
      { hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' },
    ];
    for (const payload of payloads) {
      const run = spawnSync('sh', [script, payload.hook_event_name], {
        input: JSON.stringify({ ...base, ...payload }),
      });
      expect(run.status).toBe(0);
    }
    const result = await ingestCapture(config);
    expect(result.warnings).toEqual([]);
    expect(result.appended).toBe(5);
    expect(result.handoffs).toEqual([SESSION]);
    expect(result.closed).toEqual([SESSION]);
    const handoffs = readdirSync(config.paths.handoffs).filter((name) => name.endsWith('.md'));
    expect(handoffs.length).toBeGreaterThan(0);
    expect((await listSnapshots(config, SESSION)).map((s) => s.trigger)).toContain('session-end');
    expect(existsSync(sessionLogFiles(config.paths.logs, SESSION).compressed)).toBe(true);
    const { events } = await readAll(config.paths.logs, SESSION);
    expect(events.map((e) => e.type)).toEqual([
      'session_start',
      'user_prompt',
      'tool_usage',
      'turn_end',
      'session_end',
    ]);
    // The closed session's digest is cached, keyed by its final log file: a review reads no log.
    const cached = JSON.parse(readFileSync(join(digestCacheDir(config), `${SESSION}.json`), 'utf8'));
    expect(cached).toMatchObject({ file: `${SESSION}.jsonl.gz`, digest: { session: SESSION, toolCalls: 1 } });
    const again = await refreshDigestCache(config.paths.logs, digestCacheDir(config));
    expect(again).toMatchObject({ refreshed: 0, reused: 1, failed: [] });
  }, 60_000);
});
