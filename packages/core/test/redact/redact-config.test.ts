import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, loadConfig } from '../../src/index.js';
import { tempDir } from '../helpers.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('INVALID_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected INVALID_CONFIG');
}

function withFile(redact: unknown): { root: string; file: string } {
  const root = tempDir();
  const file = join(root, 'sat.config.json');
  writeFileSync(file, JSON.stringify({ redact }));
  return { root, file };
}

describe('redact config', () => {
  it('defaults to enabled, no patterns, no allowlist, no PII', () => {
    const config = loadConfig({ root: tempDir(), env: {} });
    expect(config.redact).toEqual({ enabled: true, patterns: [], allow: [], pii: false });
  });

  it('reads the file, and SAT_REDACT / SAT_REDACT_PII win over it', () => {
    const { root } = withFile({
      enabled: true,
      pii: false,
      patterns: [{ name: 'acme-key', pattern: 'acme_[0-9a-f]{8}', flags: 'i' }],
      allow: ['AKIA-test', { pattern: 'test_[0-9]+' }],
    });
    const config = loadConfig({ root, env: { SAT_REDACT: 'off', SAT_REDACT_PII: 'yes' } });
    expect(config.redact).toEqual({
      enabled: false,
      pii: true,
      patterns: [{ name: 'acme-key', pattern: 'acme_[0-9a-f]{8}', flags: 'i' }],
      allow: ['AKIA-test', { pattern: 'test_[0-9]+' }],
    });
    expect(config.sources['redact.enabled']).toBe('env:SAT_REDACT');
    expect(config.sources['redact.patterns']).toBe('file');
    expect(createRedactor({ ...config.redact, enabled: true }).redactText('ACME_0123abcd').text).toMatch(
      /^\[REDACTED:acme-key:[0-9a-f]{4}\]$/,
    );
  });

  it('rejects a bad regex, naming the key, its index and the file', () => {
    const { root, file } = withFile({
      patterns: [
        { name: 'ok', pattern: 'a+' },
        { name: 'bad', pattern: 'a(b' },
      ],
    });
    const message = configError(() => loadConfig({ root, env: {} }));
    expect(message).toContain(
      `[core] invalid redact.patterns[1] in config file ${file}: "a(b" is not a valid regular expression`,
    );
    const allow = withFile({ allow: ['x', { pattern: '[z' }] });
    expect(configError(() => loadConfig({ root: allow.root, env: {} }))).toContain('invalid redact.allow[1]');
  });

  it('rejects a bad rule name, unknown flags and unknown keys with the schema message', () => {
    for (const redact of [
      { patterns: [{ name: 'Has Space', pattern: 'x' }] },
      { patterns: [{ name: 'ok', pattern: 'x', flags: 'g' }] },
      { pii: 'yes' },
      { mask: true },
    ]) {
      const { root } = withFile(redact);
      expect(configError(() => loadConfig({ root, env: {} }))).toMatch(
        /\[core\] invalid config file .*redact/,
      );
    }
    expect(configError(() => loadConfig({ root: tempDir(), env: { SAT_REDACT: 'maybe' } }))).toContain(
      'SAT_REDACT="maybe": expected true or false',
    );
  });

  it('takes redact settings from options, over the file', () => {
    const { root } = withFile({ pii: false });
    expect(loadConfig({ root, env: {}, overrides: { redact: { pii: true } } }).redact.pii).toBe(true);
  });
});
