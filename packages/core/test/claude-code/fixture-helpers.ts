import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import {
  type ReadTranscriptOptions,
  readTranscript,
  type TranscriptIssue,
  type TranscriptItem,
} from '../../src/claude-code/transcript-reader.js';

/**
 * The repository's copy of the real Claude Code transcripts, `<repo>/packages/cli/fixtures/claude-code/`
 * (shipped with the CLI for `sat import --sample`; EXPECTED.json beside them is for tests only).
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../cli/fixtures/claude-code/', import.meta.url));

/** The figures EXPECTED.json gives for one transcript. */
export interface ExpectedFigures {
  api_responses: number;
  tokens: { input: number; output: number; cacheCreation: number; cacheRead: number };
  per_model: Record<string, { input: number; output: number; cacheCreation: number; cacheRead: number }>;
  tool_uses: number;
  tool_results: number;
  tool_errors: number;
  unparseable_lines: number;
}

/** Absolute path of a fixture file, failing clearly when the shared fixtures are missing. */
export function fixture(relative: string): string {
  const file = join(FIXTURES_DIR, relative);
  if (!existsSync(file))
    throw new Error(
      `Claude Code fixture ${relative} not found at ${file}. The fixtures live in <repo>/packages/cli/fixtures/claude-code/ ` +
        '(see SOURCES.md there).',
    );
  return file;
}

/** EXPECTED.json, keyed by fixture path relative to FIXTURES_DIR. */
export function loadExpected(): Record<string, ExpectedFigures> {
  return JSON.parse(readFileSync(fixture('EXPECTED.json'), 'utf8')) as Record<string, ExpectedFigures>;
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sat-claude-code-'));
  made.push(dir);
  return dir;
}

/** Writes `content` to `name` in a fresh temp folder and returns the path. */
export function writeTemp(name: string, content: string | Buffer): string {
  const file = join(tempDir(), name);
  writeFileSync(file, content);
  return file;
}

/** Reads a whole transcript: every item and every issue. */
export async function readAllItems(
  file: string,
  options: ReadTranscriptOptions = {},
): Promise<{ items: TranscriptItem[]; issues: TranscriptIssue[] }> {
  const items: TranscriptItem[] = [];
  const issues: TranscriptIssue[] = [];
  for await (const item of readTranscript(file, { ...options, onIssue: (issue) => issues.push(issue) }))
    items.push(item);
  return { items, issues };
}

/** The items of one kind. */
export function ofKind<K extends TranscriptItem['kind']>(
  items: TranscriptItem[],
  kind: K,
): Extract<TranscriptItem, { kind: K }>[] {
  return items.filter((item): item is Extract<TranscriptItem, { kind: K }> => item.kind === kind);
}

/** One assistant transcript line (one content block of an API response). */
export function assistantLine(fields: {
  messageId?: string;
  requestId?: string;
  model?: string;
  block?: Record<string, unknown>;
  usage?: Record<string, unknown>;
  ts?: string;
  extra?: Record<string, unknown>;
}): string {
  return JSON.stringify({
    type: 'assistant',
    sessionId: 's-synthetic',
    uuid: `u-${Math.random().toString(36).slice(2)}`,
    timestamp: fields.ts ?? '2026-02-10T10:00:00.000Z',
    isSidechain: false,
    ...(fields.requestId === undefined ? {} : { requestId: fields.requestId }),
    message: {
      model: fields.model ?? 'claude-opus-4-6',
      ...(fields.messageId === undefined ? {} : { id: fields.messageId }),
      type: 'message',
      role: 'assistant',
      content: [fields.block ?? { type: 'text', text: 'hello' }],
      stop_reason: null,
      ...(fields.usage === undefined ? {} : { usage: fields.usage }),
    },
    ...fields.extra,
  });
}

/** A user line carrying one tool result. */
export function toolResultLine(toolUseId: string, isError = false, toolUseResult?: unknown): string {
  return JSON.stringify({
    type: 'user',
    sessionId: 's-synthetic',
    timestamp: '2026-02-10T10:00:01.000Z',
    isSidechain: false,
    message: {
      role: 'user',
      content: [{ tool_use_id: toolUseId, type: 'tool_result', content: 'ok', is_error: isError }],
    },
    ...(toolUseResult === undefined ? {} : { toolUseResult }),
  });
}

/** A usage object as the API writes it. */
export function usage(
  input: number,
  output: number,
  cacheCreation = 0,
  cacheRead = 0,
  oneHour = false,
): Record<string, unknown> {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: oneHour ? 0 : cacheCreation,
      ephemeral_1h_input_tokens: oneHour ? cacheCreation : 0,
    },
    service_tier: 'standard',
  };
}
