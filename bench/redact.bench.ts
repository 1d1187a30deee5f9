/**
 * Secret redaction at ingest: the throughput of `createRedactor` on a realistic mix of tool
 * responses (every tool_result and toolUseResult of the real transcripts in
 * `packages/cli/fixtures/claude-code/spotter/`, repeated to about 8 MiB), as values
 * (`redactValue`, the hook path) and as raw JSONL lines (`redactText`), with no secret, with a
 * secret in one response in ten, and with PII redaction on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedactor, type Redactor } from '@sat/core';
import { formatBytes, heading, note, report } from './lib.ts';

const FIXTURES = fileURLToPath(new URL('../packages/cli/fixtures/claude-code/spotter/', import.meta.url));
const TARGET_BYTES = 8 * 1024 * 1024;
const ROUNDS = 5;
const MB = 1e6;

function transcriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? transcriptFiles(join(dir, entry.name))
      : entry.name.endsWith('.jsonl')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every tool response of the transcripts: tool_result blocks and the `toolUseResult` objects. */
function toolResponses(): unknown[] {
  const out: unknown[] = [];
  for (const file of transcriptFiles(FIXTURES)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const record = JSON.parse(line) as { toolUseResult?: unknown; message?: { content?: unknown } };
      if (record.toolUseResult !== undefined) out.push(record.toolUseResult);
      const content = record.message?.content;
      if (Array.isArray(content)) out.push(...content.filter((block) => block?.type === 'tool_result'));
    }
  }
  return out;
}

const j = (...parts: string[]): string => parts.join('');
const SECRETS = [
  j('export AWS_ACCESS_KEY_ID=', 'AKIA', 'IOSFODNN7EXAMPLE'),
  j('aws_secret_access_key = ', 'wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY'),
  j('ANTHROPIC_API_KEY=', 'sk-ant-', 'api03-', 'x'.repeat(90)),
  j('GITHUB_TOKEN=', 'gh', 'p_', 'a1B2c3D4'.repeat(5).slice(0, 36)),
  j('git remote add origin https://bob:', 'hunter2pass', '@github.example.com/org/repo.git'),
].join('\n');

function withSecrets(responses: unknown[]): unknown[] {
  return responses.map((response, index) => (index % 10 === 0 ? { response, stdout: SECRETS } : response));
}

function repeatToSize(responses: unknown[]): unknown[] {
  const size = responses.reduce<number>((sum, r) => sum + JSON.stringify(r).length, 0);
  const copies = Math.max(1, Math.ceil(TARGET_BYTES / size));
  return Array.from({ length: copies }, () => responses).flat();
}

/** The best of {@link ROUNDS} passes, in MB/s of JSON text, and the findings of one pass. */
function measure(work: () => number, bytes: number): { mbps: number; findings: number } {
  let best = Number.POSITIVE_INFINITY;
  let findings = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    findings = work();
    best = Math.min(best, performance.now() - started);
  }
  return { mbps: bytes / MB / (best / 1000), findings };
}

function byValue(redactor: Redactor, values: unknown[]): () => number {
  return () => values.reduce<number>((sum, value) => sum + redactor.redactValue(value).findings.length, 0);
}

function byText(redactor: Redactor, lines: string[]): () => number {
  return () => lines.reduce<number>((sum, line) => sum + redactor.redactText(line).findings.length, 0);
}

const clean = repeatToSize(toolResponses());
const secret = withSecrets(clean);
const cleanLines = clean.map((value) => JSON.stringify(value));
const secretLines = secret.map((value) => JSON.stringify(value));
const cleanBytes = cleanLines.reduce((sum, line) => sum + line.length, 0);
const secretBytes = secretLines.reduce((sum, line) => sum + line.length, 0);
const redactor = createRedactor();
const pii = createRedactor({ pii: true });

heading(
  `redaction of ${clean.length} tool responses (${formatBytes(cleanBytes)} of JSON), best of ${ROUNDS}`,
);
const cases: Array<[string, () => number, number, number | undefined]> = [
  ['redactValue, no secrets', byValue(redactor, clean), cleanBytes, 20],
  ['redactValue, secrets in 1 of 10', byValue(redactor, secret), secretBytes, 20],
  ['redactText (JSONL lines), no secrets', byText(redactor, cleanLines), cleanBytes, 20],
  ['redactText (JSONL lines), secrets in 1 of 10', byText(redactor, secretLines), secretBytes, 20],
  ['redactValue with PII, no secrets', byValue(pii, clean), cleanBytes, undefined],
];
for (const [name, work, bytes, target] of cases) {
  const { mbps, findings } = measure(work, bytes);
  note(`${name}: ${findings} findings`);
  report(name, mbps, 'MB/s', target === undefined ? undefined : { op: '>=', value: target });
}
