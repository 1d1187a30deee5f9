/** Longest parameter summary kept on a tool-use row. */
export const MAX_PARAMETER_SUMMARY = 200;

/** Parameters that say best what a tool call did, most telling first. */
const TELLING_KEYS = [
  'command',
  'file_path',
  'path',
  'pattern',
  'url',
  'query',
  'description',
  'subagent_type',
  'prompt',
  'notebook_path',
];

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/**
 * A one-line summary of a tool call's parameters: the most telling one (`command`, `file_path`,
 * `pattern`, `url`, ...) or else `key=value` pairs, on one line, at most 200 characters.
 *
 * @example
 * summarizeParameters({ command: 'pnpm test', description: 'Run the tests' }) // 'pnpm test'
 */
export function summarizeParameters(parameters: Record<string, unknown> | undefined): string | null {
  if (!parameters) return null;
  let summary: string | undefined;
  for (const key of TELLING_KEYS) {
    const value = parameters[key];
    if (value !== undefined && value !== null && value !== '') {
      summary = text(value);
      break;
    }
  }
  if (summary === undefined) {
    const pairs = Object.entries(parameters)
      .slice(0, 5)
      .map(([key, value]) => `${key}=${text(value)}`);
    if (pairs.length === 0) return null;
    summary = pairs.join(' ');
  }
  if (/[\t\n\r\f\v]| {2}|^ | $/.test(summary)) summary = summary.replace(/\s+/g, ' ').trim();
  return summary.length > MAX_PARAMETER_SUMMARY ? `${summary.slice(0, MAX_PARAMETER_SUMMARY - 1)}…` : summary;
}
