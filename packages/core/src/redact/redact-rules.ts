import { isIP } from 'node:net';

/** One detection rule: where `regex` matches, capture group `group` (0: the whole match) is the secret. */
export interface RedactRule {
  /** The id shown in the marker, `[REDACTED:<id>:<hash>]`. */
  id: string;
  /** Lower-case strings one of which a text must contain for the rule to run; empty: always run. */
  keywords: readonly string[];
  /** Compiled with `g` and `d` (match indices). */
  regex: RegExp;
  /** The capture group that holds the secret. Default 0. */
  group?: number;
  /** A last check on a candidate secret (for example a real IP address). */
  accept?: (secret: string) => boolean;
}

const rule = (
  id: string,
  keywords: readonly string[],
  source: string,
  extra: { flags?: string; group?: number; accept?: (secret: string) => boolean } = {},
): RedactRule => ({
  id,
  keywords,
  regex: new RegExp(source, `dg${extra.flags ?? ''}`),
  group: extra.group,
  accept: extra.accept,
});

/** A value that is a reference or a placeholder rather than a secret: `$VAR`, `${x}`, `<token>`, `****`. */
const notPlaceholder = (secret: string): boolean => !/^(?:[$%{<*]|\[REDACTED:)/.test(secret);

/** An assigned value that is no secret: a number, a boolean, `null`. */
const notTrivial = (secret: string): boolean =>
  notPlaceholder(secret) && !/^(?:\d+|true|false|null|none|undefined|nil)$/i.test(secret);

/** An unquoted value that is code, not a secret: `os.environ`, `self.token`, `process.env.KEY`. */
const notCode = (secret: string): boolean =>
  notTrivial(secret) && !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(secret);

/** The end of a key that holds a secret: `DB_PASSWORD`, `github_token`, `SECRET_KEY`, `apiKey`. */
const KEY_WORD =
  '(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|signing[_-]?key|credentials?)(?:[_-]?key)?';

/**
 * The built-in secret rules, most specific first (on a tie at the same position the earlier rule
 * names the finding). Modelled on the rules of secretlint's recommended preset and of gitleaks.
 */
export const SECRET_RULES: readonly RedactRule[] = [
  rule(
    'private-key',
    ['private key'],
    '-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:[\\s\\S]{0,65536}?-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\\s\\\\:-]*)',
  ),
  rule(
    'aws-access-key',
    ['akia', 'asia', 'abia', 'acca', 'a3t'],
    '\\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b',
  ),
  rule(
    'aws-secret-key',
    ['secret'],
    '(?:aws_?secret_?(?:access_?)?key|secretaccesskey)\\\\?["\']?\\s*[:=]\\s*\\\\?["\']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])',
    { flags: 'i', group: 1 },
  ),
  rule('anthropic-api-key', ['sk-ant-'], '\\bsk-ant-[A-Za-z0-9_-]{20,}'),
  rule(
    'openai-api-key',
    ['sk-'],
    '\\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48}(?![A-Za-z0-9_-]))',
  ),
  rule('github-token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b'),
  rule('github-token', ['github_pat_'], '\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b'),
  rule('gitlab-token', ['glpat-'], '\\bglpat-[A-Za-z0-9_-]{20,}'),
  rule('slack-token', ['xox'], '\\bxox[abposre]-[A-Za-z0-9-]{10,}'),
  rule(
    'slack-webhook',
    ['hooks.slack.com'],
    'https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}',
  ),
  rule(
    'stripe-key',
    ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    '\\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\\b',
  ),
  rule('google-api-key', ['aiza'], '\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])'),
  rule('npm-token', ['npm_'], '\\bnpm_[A-Za-z0-9]{36}\\b'),
  rule('npm-token', ['_authtoken'], '_authToken\\s*=\\s*["\']?([^\\s"\']{8,})', {
    group: 1,
    accept: notPlaceholder,
  }),
  rule('sendgrid-key', ['sg.'], '\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}\\b'),
  rule('huggingface-token', ['hf_'], '\\bhf_[A-Za-z0-9]{34,}\\b'),
  rule('jwt', ['eyj'], '\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}'),
  rule(
    'url-password',
    ['://'],
    '\\b[a-z][a-z0-9+.-]{1,30}://[^\\s:/?#@"\'<>\\[\\]\\\\]{1,256}:([^\\s/?#@"\'<>\\\\]{1,256})@[A-Za-z0-9[]',
    { flags: 'i', group: 1, accept: notPlaceholder },
  ),
  rule('auth-header', ['bearer'], '\\bBearer\\s+([A-Za-z0-9._~+/-]{16,}=*)', { group: 1 }),
  rule(
    'auth-header',
    ['authorization'],
    '\\bauthorization\\\\?["\']?\\s*[:=]\\s*\\\\?["\']?(?:basic|bearer|token)?\\s*([A-Za-z0-9._~+/-]{8,}=*)',
    { flags: 'i', group: 1, accept: notPlaceholder },
  ),
  // KEY=value (env and shell), no space before the =, value unquoted or quoted.
  rule(
    'secret-assignment',
    ['pass', 'secret', 'token', 'key', 'credential'],
    `${KEY_WORD}=(["']?)([^\\s"'\`;&|<>()[\\]{}]{3,256})\\1`,
    { flags: 'i', group: 2, accept: notCode },
  ),
  // key: "value", key = 'value', "key": "value" (JSON, YAML, code with a literal).
  rule(
    'secret-assignment',
    ['pass', 'secret', 'token', 'key', 'credential'],
    `${KEY_WORD}\\\\?["']?\\s*[:=]\\s*\\\\?(["'])([^"'\\\\\\n]{3,256})\\\\?\\1`,
    { flags: 'i', group: 2, accept: notTrivial },
  ),
];

const isIPv4 = (text: string): boolean => isIP(text) === 4;
/** A real-looking IPv6 address: three groups at least, or one of four digits (`fe80::1`, not `a::b`). */
const isIPv6 = (text: string): boolean => {
  const groups = text.split(':').filter(Boolean);
  return isIP(text) === 6 && (groups.length >= 3 || groups.some((g) => g.length === 4));
};

/** Personal data, redacted only with `redact.pii`. */
export const PII_RULES: readonly RedactRule[] = [
  rule(
    'email',
    ['@'],
    '\\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}\\b',
  ),
  rule(
    'phone',
    [],
    '(?<![\\w+.-])(?:\\+\\d{1,3}[ .-]?\\d{1,4}[ .-]?\\d{2,4}[ .-]?\\d{2,4}(?:[ .-]?\\d{2,4})?|\\(\\d{2,4}\\)[ .-]?\\d{3,4}[ .-]\\d{3,4}|\\d{3}[ .-]\\d{3}[ .-]\\d{4})(?![\\w.-])',
    { accept: (text) => text.replace(/\D/g, '').length >= 7 },
  ),
  rule('ipv4', ['.'], '\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b', { accept: isIPv4 }),
  rule('ipv6', [':'], '(?<![\\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\\w:])', { accept: isIPv6 }),
];
