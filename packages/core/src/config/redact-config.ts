import { SatError } from '../errors.js';
import { describeValue } from '../schema-errors.js';
import { type ConfigFile, DEFAULT_REDACT, type RedactAllow, type RedactSettings } from './config-schema.js';

/**
 * Compiles a user's redaction regex with the flags the redactor needs (`g`, `d`), or throws
 * `INVALID_CONFIG` naming `key` (`redact.patterns[2] in config file ...`), the pattern and the engine's complaint.
 *
 * @example
 * compileRedactRegex('acme_[a-z0-9]{32}', 'i', 'redact.patterns[0]'); // /acme_[a-z0-9]{32}/dgi
 */
export function compileRedactRegex(pattern: string, flags: string | undefined, key: string): RegExp {
  try {
    return new RegExp(pattern, `dg${flags ?? ''}`);
  } catch (error) {
    throw new SatError(
      'INVALID_CONFIG',
      `[core] invalid ${key}: ${describeValue(pattern)} is not a valid regular expression: ${(error as Error).message} (fix the pattern or remove the entry)`,
      { cause: error, details: { key, pattern } },
    );
  }
}

function checkAllow(entry: RedactAllow, index: number, where: string): void {
  if (typeof entry === 'string') return;
  compileRedactRegex(entry.pattern, entry.flags, `redact.allow[${index}] in ${where}`);
}

/**
 * The resolved `redact` settings: defaults filled in, every pattern compiled once to reject a bad
 * one at load (the settings keep the strings, so the config stays plain JSON).
 */
export function redactSettings(redact: ConfigFile['redact'], where: string): RedactSettings {
  const patterns = redact?.patterns ?? DEFAULT_REDACT.patterns;
  const allow = redact?.allow ?? DEFAULT_REDACT.allow;
  for (const [index, p] of patterns.entries()) {
    compileRedactRegex(p.pattern, p.flags, `redact.patterns[${index}] in ${where}`);
  }
  for (const [index, entry] of allow.entries()) checkAllow(entry, index, where);
  return {
    enabled: redact?.enabled ?? DEFAULT_REDACT.enabled,
    patterns: patterns.map((p) => ({ ...p })),
    allow: allow.map((a) => (typeof a === 'string' ? a : { ...a })),
    pii: redact?.pii ?? DEFAULT_REDACT.pii,
  };
}
