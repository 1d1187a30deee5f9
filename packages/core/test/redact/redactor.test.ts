import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, loadRedactSalt, REDACT_SALT_FILE } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { ANTHROPIC_KEY, AWS_ACCESS_KEY, AWS_SECRET_KEY, fake, GITHUB_TOKEN, PASSWORD } from './samples.js';

const redactor = createRedactor();
const hashOf = (text: string): string => redactor.redactText(text).findings[0]!.hash;

describe('markers', () => {
  it('gives the same secret the same marker across calls and redactors with one salt', () => {
    const a = redactor.redactText(`id ${AWS_ACCESS_KEY}`).text;
    const b = createRedactor().redactText(`other ${AWS_ACCESS_KEY} text`).text;
    expect(a.slice(3)).toBe(b.slice(6, 6 + a.length - 3));
    expect(a).toMatch(/^id \[REDACTED:aws-access-key:[0-9a-f]{4}\]$/);
  });

  it('gives different secrets different markers, and another salt other digits', () => {
    const tokens = Array.from({ length: 20 }, (_, i) => `gh${'p_'}${fake(36, 100 + i)}`);
    expect(new Set(tokens.map(hashOf)).size).toBeGreaterThanOrEqual(19);
    const salted = createRedactor({}, { salt: 'another install' });
    const digits = tokens.map((t) => salted.redactText(t).findings[0]!.hash);
    expect(digits.filter((d, i) => d === hashOf(tokens[i]!)).length).toBeLessThan(3);
  });

  it('reports findings in text order with the rule and hash of each marker', () => {
    const { text, findings } = redactor.redactText(`${GITHUB_TOKEN} then ${ANTHROPIC_KEY}`);
    expect(findings.map((f) => f.rule)).toEqual(['github-token', 'anthropic-api-key']);
    expect(text).toBe(findings.map((f) => `[REDACTED:${f.rule}:${f.hash}]`).join(' then '));
  });
});

describe('settings', () => {
  it('redacts nothing when disabled', () => {
    const off = createRedactor({ enabled: false });
    expect(off.enabled).toBe(false);
    expect(off.redactText(GITHUB_TOKEN)).toEqual({ text: GITHUB_TOKEN, findings: [] });
    const value = { token: GITHUB_TOKEN };
    expect(off.redactValue(value).value).toBe(value);
  });

  it('keeps allowlisted secrets, exact or by a pattern the whole secret matches', () => {
    const allow = createRedactor({
      allow: [AWS_ACCESS_KEY, { pattern: 'ghp_[A-Za-z0-9]{36}' }, { pattern: 'hunter' }],
    });
    const text = `${AWS_ACCESS_KEY} ${GITHUB_TOKEN} postgres://u:${PASSWORD}@h/db`;
    const out = allow.redactText(text);
    expect(out.findings.map((f) => f.rule)).toEqual(['url-password']);
    expect(out.text).toContain(`${AWS_ACCESS_KEY} ${GITHUB_TOKEN} `);
  });

  it("applies the user's patterns, redacting the first capture group when there is one", () => {
    const custom = createRedactor({
      patterns: [
        { name: 'acme-key', pattern: 'acme_[a-z0-9]{16}', flags: 'i' },
        { name: 'pin', pattern: 'PIN (\\d{4,8})' },
      ],
    });
    const { text, findings } = custom.redactText(`use ACME_${fake(16, 40).toLowerCase()} and PIN 123456.`);
    expect(findings.map((f) => f.rule)).toEqual(['acme-key', 'pin']);
    expect(text).toMatch(/^use \[REDACTED:acme-key:[0-9a-f]{4}\] and PIN \[REDACTED:pin:[0-9a-f]{4}\]\.$/);
  });

  it('redacts personal data only when pii is on', () => {
    const text =
      'mail jo.doe+ci@example.co.uk, call +44 20 7946 0958 or (555) 123-4567, host 192.168.10.24 and 2001:db8::8a2e:370:7334';
    expect(redactor.redactText(text).findings).toEqual([]);
    const { text: out, findings } = createRedactor({ pii: true }).redactText(text);
    expect(findings.map((f) => f.rule)).toEqual(['email', 'phone', 'phone', 'ipv4', 'ipv6']);
    expect(out).toMatch(
      /^mail \[REDACTED:email:\w{4}\], call \[REDACTED:phone:\w{4}\] or \[REDACTED:phone:\w{4}\], host \[REDACTED:ipv4:\w{4}\] and \[REDACTED:ipv6:\w{4}\]$/,
    );
  });

  it('does not take dates, versions, times or Rust paths for personal data', () => {
    const pii = createRedactor({ pii: true });
    const text = 'on 2026-02-10 at 12:30:45, v1.2.3, std::collections::HashMap, 999.1.1.1, a::b';
    expect(pii.redactText(text)).toEqual({ text, findings: [] });
  });
});

describe('redactValue', () => {
  it('redacts strings at every level, keeps keys and non-strings, copies only what changed', () => {
    const untouched = { n: 1, list: ['plain'] };
    const value = {
      tool_name: 'Bash',
      tool_input: { command: `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_KEY}` },
      tool_response: { stdout: ['ok', { nested: [GITHUB_TOKEN] }], exitCode: 0, ok: true, none: null },
      untouched,
    };
    const { value: out, findings } = redactor.redactValue(value);
    expect(findings.map((f) => f.rule)).toEqual(['aws-secret-key', 'github-token']);
    expect(JSON.stringify(out)).not.toContain(AWS_SECRET_KEY);
    expect(out.tool_response.stdout[1]).toEqual({
      nested: [expect.stringMatching(/^\[REDACTED:github-token:\w{4}\]$/)],
    });
    expect(out.tool_response.exitCode).toBe(0);
    expect(out.untouched).toBe(untouched);
    expect(value.tool_response.stdout[1]).toEqual({ nested: [GITHUB_TOKEN] });
  });

  it('turns a subtree below the depth bound into its redacted JSON text', () => {
    const deep: Record<string, unknown> = { secret: GITHUB_TOKEN };
    let node = deep;
    for (let i = 0; i < 5; i++) node = { child: node };
    const { value, findings } = createRedactor({}, { maxDepth: 3 }).redactValue(node);
    const third = (value as { child: { child: { child: unknown } } }).child.child.child;
    expect(typeof third).toBe('string');
    expect(third as string).toMatch(
      /^\{"child":\{"child":\{"secret":"\[REDACTED:github-token:\w{4}\]"\}\}\}$/,
    );
    expect(findings).toHaveLength(1);
  });

  it('survives cycles: a back-reference becomes "[Circular]", shared references are kept', () => {
    const shared = { token: GITHUB_TOKEN };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    const { value, findings } = redactor.redactValue(cyclic);
    expect(findings).toHaveLength(2);
    expect(() => JSON.stringify(value)).not.toThrow();
    expect((value as Record<string, unknown>).self).toBe('[Circular]');
    expect(JSON.parse(JSON.stringify(value)).b.token).toMatch(/^\[REDACTED:github-token:\w{4}\]$/);
  });
});

describe('loadRedactSalt', () => {
  it('creates a private salt once and returns it on every later call', () => {
    const dir = join(tempDir(), 'credentials');
    const salt = loadRedactSalt(dir);
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, REDACT_SALT_FILE)).mode & 0o777).toBe(0o600);
    expect(loadRedactSalt(dir)).toBe(salt);
    writeFileSync(join(dir, REDACT_SALT_FILE), 'damaged');
    const replaced = loadRedactSalt(dir);
    expect(replaced).not.toBe(salt);
    expect(readFileSync(join(dir, REDACT_SALT_FILE), 'utf8').trim()).toBe(replaced);
  });
});
