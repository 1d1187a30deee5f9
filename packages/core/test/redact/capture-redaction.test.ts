import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTracker, importTranscripts, ingestCapture, loadConfig, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { ANTHROPIC_KEY, AWS_ACCESS_KEY, AWS_SECRET_KEY, GITHUB_TOKEN, PASSWORD } from './samples.js';

const SECRETS = [AWS_ACCESS_KEY, AWS_SECRET_KEY, ANTHROPIC_KEY, GITHUB_TOKEN, PASSWORD];
const COMMAND = [
  `AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_KEY} aws s3 ls`,
  `curl -H "x-api-key: ${ANTHROPIC_KEY}" https://api.anthropic.com/v1/messages`,
  `git clone https://x-access-token:${GITHUB_TOKEN}@github.com/acme/app`,
  `psql postgres://admin:${PASSWORD}@db.internal:5432/app`,
].join(' && ');

const PASSWORD_URL = `postgres://admin:${PASSWORD}@db.internal:5432/app`;

/** `{ next: { next: ... value } }`, `levels` deep. */
function deep(levels: number, value: string): unknown {
  let out: unknown = value;
  for (let i = 0; i < levels; i++) out = { next: out };
  return out;
}

/** Every file under `dir`, as text. */
function everything(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'latin1'))
    .join('\n');
}

describe('secrets are redacted before they are stored', () => {
  it('by the tracker API (and so `sat log`): the log holds markers, never the secrets', async () => {
    const root = tempDir();
    const config = loadConfig({ root, cwd: root, env: {} });
    const tracker = createTracker({ config });
    tracker.startSession({ id: 'redact-tracker' });
    tracker.logToolUsage({ tool: 'Bash', parameters: { command: COMMAND }, success: true });
    await tracker.endSession({ compress: false });
    const log = everything(config.paths.logs);
    for (const secret of SECRETS) expect(log).not.toContain(secret);
    expect(log).toMatch(/\[REDACTED:aws-access-key:[0-9a-f]{4}\]/);
    expect(log).toContain('github.com/acme/app');
  });

  it('by the transcript import, with the same marker for the same secret as the tracker', async () => {
    const root = tempDir();
    const config = loadConfig({ root, cwd: root, env: {} });
    const transcript = join(root, 'redact-import.jsonl');
    const line = {
      type: 'assistant',
      uuid: 'u1',
      sessionId: 'redact-import',
      timestamp: '2026-03-01T10:00:00.000Z',
      message: {
        id: 'm1',
        model: 'claude-sonnet-4-5',
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: COMMAND } }],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      requestId: 'r1',
    };
    const result = {
      type: 'user',
      uuid: 'u2',
      parentUuid: 'u1',
      sessionId: 'redact-import',
      timestamp: '2026-03-01T10:00:02.000Z',
      message: {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: `token is ${GITHUB_TOKEN}`,
            is_error: true,
          },
        ],
      },
    };
    writeFileSync(transcript, `${JSON.stringify(line)}\n${JSON.stringify(result)}\n`);
    const { configRedactor } = await import('../../src/capture/redaction.js');
    await importTranscripts({
      paths: [transcript],
      logsDir: config.paths.logs,
      stateDir: config.paths.state,
      redactor: configRedactor(config),
    });
    const log = everything(config.paths.logs);
    for (const secret of SECRETS) expect(log).not.toContain(secret);
    const marker = configRedactor(config).redactText(AWS_ACCESS_KEY).text;
    expect(log).toContain(marker);
  });

  it('by the hook ingest: events, raw copies, snapshots and handoffs hold markers, and the spool file is gone', async () => {
    const root = tempDir();
    const config = loadConfig({ root, cwd: root, env: {} });
    const spool = spoolDir(config.paths.logs);
    mkdirSync(spool, { recursive: true });
    const session = 'redact-hooks';
    const base = { session_id: session, transcript_path: '/nowhere.jsonl', cwd: root };
    const payloads = [
      { ...base, hook_event_name: 'SessionStart', source: 'startup' },
      { ...base, hook_event_name: 'UserPromptSubmit', prompt: `deploy with ${ANTHROPIC_KEY}` },
      {
        ...base,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_use_id: 'toolu_r1',
        tool_input: { command: COMMAND },
      },
      {
        ...base,
        hook_event_name: 'PostToolUse',
        tool_name: 'Bash',
        tool_use_id: 'toolu_r1',
        tool_input: { command: COMMAND },
        tool_response: { stdout: `token ${GITHUB_TOKEN}`, stderr: '' },
      },
      // Nested past the depth bound: the stored value is cut, and the raw copy must not keep the
      // whole text with the secret in it.
      { ...base, hook_event_name: 'Notification', message: 'deep', extra: deep(40, PASSWORD_URL) },
      { ...base, hook_event_name: 'SessionEnd', reason: 'other' },
    ];
    payloads.forEach((payload, i) => {
      writeFileSync(
        join(spool, `${1_765_000_000_000_000_000 + i * 1000}-${100 + i}.json`),
        JSON.stringify(payload),
      );
    });
    const result = await ingestCapture(config);
    expect(result.bad).toEqual([]);
    const stored = everything(root);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(stored).toMatch(/\[REDACTED:anthropic-api-key:[0-9a-f]{4}\]/);
    expect(readdirSync(spool).filter((name) => name.endsWith('.json') && !name.startsWith('.'))).toEqual([]);
  });

  it('not at all when redact.enabled is false', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ redact: { enabled: false } }));
    const config = loadConfig({ root, cwd: root, env: {} });
    const tracker = createTracker({ config });
    tracker.startSession({ id: 'redact-off' });
    tracker.logToolUsage({ tool: 'Bash', parameters: { command: COMMAND }, success: true });
    await tracker.endSession({ compress: false });
    expect(everything(config.paths.logs)).toContain(AWS_ACCESS_KEY);
  });
});
