import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spoolDir } from '../../src/capture/capture-script.js';
import { ingestHookSpool } from '../../src/capture/hook-spool-ingest.js';
import { importTranscripts } from '../../src/capture/transcript-import.js';
import type { AnySatEvent } from '../../src/events/envelope.js';
import { readSessionEvents } from '../../src/log/event-reader.js';
import { fixture, ofKind, readAllItems, tempDir } from '../claude-code/fixture-helpers.js';

const SESSION = 'd6e0bada-1959-4eec-a9d2-0bfade768d8f';
const TRANSCRIPT = fixture('spotter/tool_heavy.jsonl');
const PAYLOADS = join(import.meta.dirname, '..', 'fixtures', 'hook-payloads');

const payload = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PAYLOADS, name), 'utf8')) as Record<string, unknown>;

/**
 * The hook payloads an older Claude Code (no `tool_use_id`) sent for the transcript's session:
 * SessionStart, its first prompt and its first Bash call, each captured when the transcript says.
 */
async function olderHookPayloads(): Promise<Array<{ at: number; body: Record<string, unknown> }>> {
  const { items } = await readAllItems(TRANSCRIPT);
  const prompt = ofKind(items, 'user_prompt')[0]!;
  const use = ofKind(items, 'tool_use').find((item) => item.name === 'Bash')!;
  const result = ofKind(items, 'tool_result').find((item) => item.toolUseId === use.id)!;
  const post: Record<string, unknown> = {
    ...payload('post-tool-use-bash.json'),
    session_id: SESSION,
    tool_input: use.input,
  };
  delete post.tool_use_id;
  const first = Date.parse(prompt.ts!) - 1000;
  return [
    { at: first, body: { ...payload('session-start-startup.json'), session_id: SESSION } },
    {
      at: Date.parse(prompt.ts!) + 50,
      body: { ...payload('user-prompt-submit.json'), session_id: SESSION, prompt: prompt.text },
    },
    { at: Date.parse(result.ts!) + 400, body: post },
  ];
}

async function ingestHooks(logsDir: string): Promise<void> {
  const spool = spoolDir(logsDir);
  mkdirSync(spool, { recursive: true });
  for (const [i, { at, body }] of (await olderHookPayloads()).entries())
    writeFileSync(join(spool, `${at}00000${i}-4242.json`), JSON.stringify(body));
  const result = await ingestHookSpool({ logsDir });
  expect(result.bad).toEqual([]);
}

async function counts(logsDir: string) {
  const events: AnySatEvent[] = [];
  for await (const event of readSessionEvents(logsDir, SESSION)) events.push(event);
  const { items } = await readAllItems(TRANSCRIPT);
  const prompt = ofKind(items, 'user_prompt')[0]!.text;
  const bash = ofKind(items, 'tool_use').find((item) => item.name === 'Bash')!;
  const command = (bash.input as { command: string }).command;
  return {
    sessionStarts: events.filter((e) => e.type === 'session_start').length,
    firstPrompt: events.filter((e) => e.type === 'user_prompt' && e.data.text === prompt).length,
    firstBash: events.filter(
      (e) =>
        e.type === 'tool_usage' &&
        e.data.tool === 'Bash' &&
        (e.data.parameters as { command?: string } | undefined)?.command === command,
    ).length,
  };
}

describe('hooks and the transcript import are joined, whichever comes first', () => {
  it('import, then the hooks of an older Claude Code: no second start, prompt or tool call', async () => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    await importTranscripts({ paths: [TRANSCRIPT], logsDir, stateDir: join(root, 'state') });
    const before = await counts(logsDir);
    expect(before).toEqual({ sessionStarts: 1, firstPrompt: 1, firstBash: 1 });
    await ingestHooks(logsDir);
    expect(await counts(logsDir)).toEqual(before);
  });

  it('the hooks of an older Claude Code, then the import: the same single events', async () => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    await ingestHooks(logsDir);
    expect(await counts(logsDir)).toEqual({ sessionStarts: 1, firstPrompt: 1, firstBash: 1 });
    await importTranscripts({ paths: [TRANSCRIPT], logsDir, stateDir: join(root, 'state') });
    expect(await counts(logsDir)).toEqual({ sessionStarts: 1, firstPrompt: 1, firstBash: 1 });
  });
});
