import { createHash } from 'node:crypto';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi;
const URL_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>)\]]+/gi;
// A run with at least one slash (or backslash) between name characters: /a/b.ts, ./x, C:\a\b, ~/x.
// A slash right after `<` starts a closing tag (`</tool_use_error>`), not a path.
const PATH =
  /(?<!<)(?:[A-Za-z]:)?(?:~|\.{1,2})?(?:[\\/][\w.@+-]+)+[\\/]?|\b[\w.@+-]+(?:[\\/][\w.@+-]+)+[\\/]?/g;
const NUMBER = /(?<![\w.])[-+]?\d+(?:[.,:]\d+)*(?:ms|s|m|h|kb|mb|gb|b|%)?(?![\w])/gi;
const SPACE = /\s+/g;

/** Longest normalised message kept in a fingerprint (the rest is cut). */
export const MAX_PATTERN_CHARS = 300;

/**
 * An error message with what varies between occurrences taken out: UUIDs, URLs, file paths, hex
 * ids and numbers become `<uuid>`, `<url>`, `<path>`, `<hex>` and `<n>`; runs of white space
 * become one space. Words that merely contain digits (`TS2345`, `utf8`) and tags (`</tool_use_error>`)
 * are kept.
 *
 * @example
 * normalizeErrorMessage("ENOENT: no such file or directory, open '/tmp/x/a.ts' (after 120ms)")
 * // "ENOENT: no such file or directory, open '<path>' (after <n>)"
 */
export function normalizeErrorMessage(message: string): string {
  const text = message
    .slice(0, 4 * MAX_PATTERN_CHARS)
    .replace(UUID, '<uuid>')
    .replace(URL_TEXT, '<url>')
    .replace(PATH, '<path>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>')
    .replace(SPACE, ' ')
    .trim();
  return text.length > MAX_PATTERN_CHARS ? text.slice(0, MAX_PATTERN_CHARS) : text;
}

const cache = new Map<string, { fingerprint: string; pattern: string }>();
const CACHE_LIMIT = 10_000;

/**
 * The fingerprint that groups the same error across sessions: 16 hex characters of the SHA-256
 * of the error type and the normalised message ({@link normalizeErrorMessage}).
 *
 * @example
 * errorFingerprint('ExitCode1', 'Command failed with exit code 1').fingerprint ===
 *   errorFingerprint('ExitCode1', 'Command failed with exit code 2').fingerprint // true
 */
export function errorFingerprint(
  errorType: string,
  message: string | undefined,
): { fingerprint: string; pattern: string } {
  const key = `${errorType}\n${message ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const pattern = normalizeErrorMessage(message ?? '');
  const fingerprint = createHash('sha256').update(`${errorType}\n${pattern}`).digest('hex').slice(0, 16);
  const result = { fingerprint, pattern };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}
