import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, type RedactFinding } from '../../src/index.js';
import { REPO } from '../helpers.js';

const SPOTTER = join(REPO, 'packages', 'cli', 'fixtures', 'claude-code', 'spotter');
const FILES = [
  'short.jsonl',
  'subagent.jsonl',
  'tool_heavy.jsonl',
  'subagents/agent-a7be2f0.jsonl',
  'subagents/agent-acompact-f46190.jsonl',
];

function redactCorpus(pii: boolean): RedactFinding[] {
  const redactor = createRedactor({ pii });
  const findings: RedactFinding[] = [];
  for (const file of FILES) {
    for (const line of readFileSync(join(SPOTTER, file), 'utf8').split('\n')) {
      if (line) findings.push(...redactor.redactValue(JSON.parse(line)).findings);
    }
  }
  return findings;
}

describe('the bundled real transcripts', () => {
  it('hold no secret, and the rules find none: no false positive in real code, diffs, hashes and ids', () => {
    expect(redactCorpus(false)).toEqual([]);
  });

  it('hold one e-mail address (the issue owner, 19 times), which PII redaction finds and nothing else', () => {
    const findings = redactCorpus(true);
    expect(new Set(findings.map((f) => `${f.rule}:${f.hash}`)).size).toBe(1);
    expect(findings).toHaveLength(19);
    expect(findings[0]!.rule).toBe('email');
  });
});

describe('ordinary text that looks random', () => {
  const redactor = createRedactor();
  it.each([
    ['a git SHA', 'commit 1263961c4c9847b51fce0893c0828b99e36aa11f (HEAD -> redact)'],
    ['a UUID', 'session 3f2504e0-4f89-41d3-9a0c-0305e82c3301 started'],
    [
      'a PNG as base64',
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    ],
    ['a SHA-256', 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    [
      'an npm integrity',
      '"integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXGOVIPgLi2UPCusSS7M8MFoCoRAg=="',
    ],
    [
      'code that reads a secret',
      'const token = await getToken(); if (password === input) return; apiKey: process.env.API_KEY',
    ],
    ['a type', 'interface Login { password: string; token?: string }'],
    ['usage numbers', '{"input_tokens": 1234, "max_tokens": 4096, "cache_read_input_tokens": 0}'],
    ['env output', 'PATH=/usr/bin:/bin\nPWD=/home/jo/project\nOLDPWD=/home/jo\nHOME=/home/jo'],
    ['a URL with a port and no password', 'http://localhost:3000/api?x=1 and git@github.com:org/repo.git'],
    ['prose', 'The token budget is 2000 tokens; keep the secret sauce secret. Basic usage: run the tool.'],
  ])('%s', (_, text) => {
    expect(redactor.redactText(text)).toEqual({ text, findings: [] });
  });
});
