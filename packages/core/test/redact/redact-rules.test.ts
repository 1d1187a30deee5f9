import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/index.js';
import { PRIVATE_KEY, RULE_SAMPLES } from './samples.js';

const redactor = createRedactor();
const MARKER = /\[REDACTED:([a-z0-9-]+):([0-9a-f]{4})\]/g;

describe('built-in secret rules', () => {
  it.each(RULE_SAMPLES.map((sample) => [sample.rule, sample.text(sample.secret), sample] as const))(
    '%s: %s',
    (rule, text, sample) => {
      const { text: out, findings } = redactor.redactText(text);
      expect(out).not.toContain(sample.secret);
      expect(findings.map((f) => f.rule)).toEqual([rule]);
      expect(out).toBe(text.replace(sample.secret, `[REDACTED:${rule}:${findings[0]!.hash}]`));
    },
  );

  it('redacts a whole private key block, armour lines included', () => {
    const { text, findings } = redactor.redactText(`cat ~/.ssh/id_ed25519\n${PRIVATE_KEY}\n$ `);
    expect(findings.map((f) => f.rule)).toEqual(['private-key']);
    expect(text).toMatch(/^cat ~\/\.ssh\/id_ed25519\n\[REDACTED:private-key:[0-9a-f]{4}\]\n\$ $/);
  });

  it('redacts a private key whose END line was cut off', () => {
    const cut = PRIVATE_KEY.slice(0, PRIVATE_KEY.indexOf('-----END'));
    const { text, findings } = redactor.redactText(cut);
    expect(findings).toHaveLength(1);
    expect(text).toMatch(/^\[REDACTED:private-key:[0-9a-f]{4}\]$/);
  });

  it('keeps the user and the host of a URL with a password', () => {
    const { text } = redactor.redactText(
      RULE_SAMPLES.find((s) => s.rule === 'url-password')!.text('pw-12345'),
    );
    expect(text).toMatch(
      /^postgres:\/\/admin:\[REDACTED:url-password:[0-9a-f]{4}\]@db\.example\.com:5432\/app$/,
    );
  });

  it('redacts the whole tool call of the adversarial pass: AWS pair, Anthropic, GitHub, URL password', () => {
    const call = RULE_SAMPLES.filter((s) =>
      ['aws-access-key', 'aws-secret-key', 'anthropic-api-key', 'github-token', 'url-password'].includes(
        s.rule,
      ),
    );
    const text = call.map((s) => s.text(s.secret)).join('\n');
    const out = redactor.redactText(text);
    for (const sample of call) expect(out.text).not.toContain(sample.secret);
    expect([...out.text.matchAll(MARKER)].length).toBe(out.findings.length);
    expect(new Set(out.findings.map((f) => f.rule))).toEqual(
      new Set(['aws-access-key', 'aws-secret-key', 'anthropic-api-key', 'github-token', 'url-password']),
    );
  });

  it('leaves placeholders and variable references alone', () => {
    for (const text of [
      'export API_TOKEN=$API_TOKEN',
      `password=\${DB_PASSWORD}`,
      'PASSWORD="<your password>"',
      'token=****',
      'postgres://user:$PGPASS@localhost/db',
      'MAX_TOKEN=4096',
      'secret=true',
    ]) {
      expect(redactor.redactText(text)).toEqual({ text, findings: [] });
    }
  });

  it('does not redact a marker again', () => {
    const once = redactor.redactText(RULE_SAMPLES.map((s) => s.text(s.secret)).join('\n')).text;
    expect(redactor.redactText(once)).toEqual({ text: once, findings: [] });
  });
});
