import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';

/** A short JSON rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `/checks/0/passed` -> `checks[0].passed`, under an optional prefix. */
function fieldName(prefix: string, path: string): string {
  let name = prefix;
  for (const part of path.split('/').filter(Boolean))
    name += /^\d+$/.test(part) ? `[${part}]` : `${name ? '.' : ''}${part}`;
  return name || 'the value';
}

function explain(error: ValueError): string {
  const message = error.message.replace(/^Expected /, 'expected ');
  if (message === 'expected required property') return 'is required';
  if (message === 'Unexpected property') return 'is not a known field';
  return `${message}, got ${describeValue(error.value)}`;
}

/** Up to `limit` readable reasons why `value` fails `check`, one per field: `data.tool is required`. */
export function schemaErrors(check: TypeCheck<TSchema>, value: unknown, prefix = '', limit = 3): string[] {
  if (typeof value !== 'object' || value === null)
    return [`${prefix || '(the value)'} must be an object, got ${describeValue(value)}`];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const error of check.Errors(value)) {
    if (error.path === '' && error.message === 'Expected object')
      return [`${prefix || 'the value'} must be an object, got ${describeValue(value)}`];
    const field = fieldName(prefix, error.path);
    if (seen.has(field)) continue;
    seen.add(field);
    out.push(`${field} ${explain(error)}`);
    if (out.length >= limit) break;
  }
  return out;
}
