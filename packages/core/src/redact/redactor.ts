import {
  DEFAULT_REDACT,
  type RedactAllow,
  type RedactPattern,
  type RedactSettings,
} from '../config/config-schema.js';
import { compileRedactRegex } from '../config/redact-config.js';
import { DEFAULT_REDACT_SALT, redactionMarker, secretHash } from './redact-marker.js';
import { PII_RULES, type RedactRule, SECRET_RULES } from './redact-rules.js';

/** One redacted secret: the rule that found it and the 4 hex digits of its marker. */
export interface RedactFinding {
  rule: string;
  hash: string;
}

/** What {@link Redactor.redactText} returns. */
export interface RedactedText {
  text: string;
  findings: RedactFinding[];
}

/** What {@link Redactor.redactValue} returns. */
export interface RedactedValue<T> {
  value: T;
  findings: RedactFinding[];
}

/** Replaces secrets with `[REDACTED:<rule>:<hash>]` markers. */
export interface Redactor {
  /** False when `redact.enabled` is off: both methods then return their input unchanged. */
  readonly enabled: boolean;
  /** Redacts every secret in `text`. */
  redactText(text: string): RedactedText;
  /**
   * Redacts every string inside `value` (plain objects and arrays, keys kept), returning a copy
   * where anything changed. A subtree deeper than `maxDepth` becomes its redacted JSON text, a
   * cycle becomes `'[Circular]'`; other objects (Date, Map, class instances) are kept as they are.
   */
  redactValue<T>(value: T): RedactedValue<T>;
}

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** The HMAC key of the marker hashes (see `loadRedactSalt`). Default {@link DEFAULT_REDACT_SALT}. */
  salt?: string | Buffer;
  /** How deep `redactValue` walks. Default 64. */
  maxDepth?: number;
}

interface Span {
  start: number;
  end: number;
  rule: string;
  priority: number;
  secret: string;
}

function userRule(pattern: RedactPattern, index: number): RedactRule {
  const regex = compileRedactRegex(pattern.pattern, pattern.flags, `redact.patterns[${index}]`);
  const groups = new RegExp(`${regex.source}|`).exec('')!.length - 1;
  return { id: pattern.name, keywords: [], regex, group: groups > 0 ? 1 : 0 };
}

function allowTest(allow: readonly RedactAllow[]): (secret: string) => boolean {
  const exact = new Set(allow.filter((a): a is string => typeof a === 'string'));
  const patterns = allow
    .filter((a): a is { pattern: string; flags?: string } => typeof a !== 'string')
    .map((a, index) => {
      compileRedactRegex(a.pattern, a.flags, `redact.allow[${index}]`);
      return new RegExp(`^(?:${a.pattern})$`, a.flags ?? '');
    });
  return (secret) => exact.has(secret) || patterns.some((p) => p.test(secret));
}

/**
 * One case-insensitive pass over the text that finds which rule keywords it contains (a keyword
 * found also counts for the shorter keywords inside it: `_authtoken` for `token`).
 */
function keywordScanner(rules: readonly RedactRule[]): (text: string) => Set<string> {
  const keywords = [...new Set(rules.flatMap((rule) => rule.keywords))].sort((a, b) => b.length - a.length);
  const inside = new Map(keywords.map((k) => [k, keywords.filter((other) => k.includes(other))]));
  const escaped = keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const regex = new RegExp(escaped.join('|'), 'gi');
  return (text) => {
    const found = new Set<string>();
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match; match = regex.exec(text)) {
      for (const k of inside.get(match[0].toLowerCase()) ?? []) found.add(k);
    }
    return found;
  };
}

function collectSpans(
  text: string,
  rules: readonly RedactRule[],
  present: Set<string>,
  allowed: (secret: string) => boolean,
): Span[] {
  const spans: Span[] = [];
  rules.forEach((rule, priority) => {
    if (rule.keywords.length > 0 && !rule.keywords.some((k) => present.has(k))) return;
    const { regex } = rule;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match; match = regex.exec(text)) {
      if (match[0].length === 0) regex.lastIndex++;
      const secret = match[rule.group ?? 0];
      const range = match.indices?.[rule.group ?? 0];
      if (!secret || !range || secret.startsWith('[REDACTED:')) continue;
      if ((rule.accept && !rule.accept(secret)) || allowed(secret)) continue;
      spans.push({ start: range[0], end: range[1], rule: rule.id, priority, secret });
    }
  });
  return spans;
}

/** The spans to replace: earliest first, then the higher-priority rule, then the longest; no overlaps. */
function chooseSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || a.priority - b.priority || b.end - a.end);
  const chosen: Span[] = [];
  let end = 0;
  for (const span of spans) {
    if (span.start < end) continue;
    chosen.push(span);
    end = span.end;
  }
  return chosen;
}

function plainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A redactor for `settings` (the config's `redact`; defaults: enabled, no user patterns, no
 * allowlist, no PII). Built-in secret rules run first, then the user's patterns, then the PII
 * rules when `pii` is on. Synchronous and allocation-light: text without a rule's keywords skips it.
 *
 * @example
 * const { text } = createRedactor(config.redact).redactText('key AKIAIOSFODNN7EXAMPLE');
 * // 'key [REDACTED:aws-access-key:f95e]' (with the default salt)
 */
export function createRedactor(
  settings: Partial<RedactSettings> = {},
  options: RedactorOptions = {},
): Redactor {
  const resolved = { ...DEFAULT_REDACT, ...settings };
  const salt = options.salt ?? DEFAULT_REDACT_SALT;
  const maxDepth = options.maxDepth ?? 64;
  const rules = [...SECRET_RULES, ...resolved.patterns.map(userRule), ...(resolved.pii ? PII_RULES : [])];
  const allowed = allowTest(resolved.allow);
  const scan = keywordScanner(rules);
  const hashes = new Map<string, string>();
  const hashOf = (secret: string): string => {
    let hash = hashes.get(secret);
    if (hash === undefined) {
      if (hashes.size >= 10_000) hashes.clear();
      hash = secretHash(secret, salt);
      hashes.set(secret, hash);
    }
    return hash;
  };

  const redactString = (text: string, findings: RedactFinding[]): string => {
    const spans = chooseSpans(collectSpans(text, rules, scan(text), allowed));
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      const hash = hashOf(span.secret);
      findings.push({ rule: span.rule, hash });
      out += text.slice(at, span.start) + redactionMarker(span.rule, hash);
      at = span.end;
    }
    return out + text.slice(at);
  };

  const walk = (node: unknown, depth: number, ancestors: Set<object>, findings: RedactFinding[]): unknown => {
    if (typeof node === 'string') return redactString(node, findings);
    if (typeof node !== 'object' || node === null || !plainContainer(node)) return node;
    if (ancestors.has(node)) return '[Circular]';
    if (depth >= maxDepth) return redactString(jsonText(node), findings);
    ancestors.add(node);
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    let copy: unknown[] | Record<string, unknown> | undefined;
    for (const [key, child] of entries) {
      const next = walk(child, depth + 1, ancestors, findings);
      if (next === child) continue;
      copy ??= Array.isArray(node) ? [...node] : { ...node };
      (copy as Record<string | number, unknown>)[key] = next;
    }
    ancestors.delete(node);
    return copy ?? node;
  };

  return {
    enabled: resolved.enabled,
    redactText(text) {
      const findings: RedactFinding[] = [];
      return { text: resolved.enabled ? redactString(text, findings) : text, findings };
    },
    redactValue<T>(value: T): RedactedValue<T> {
      const findings: RedactFinding[] = [];
      if (!resolved.enabled) return { value, findings };
      return { value: walk(value, 0, new Set(), findings) as T, findings };
    },
  };
}

function jsonText(value: object): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '[Unserializable]';
  }
}
