/** One field where two JSON values differ: its path and both values. */
export interface FieldDifference {
  /** `byModel[0].cost`, `tokens.total`; empty for the values themselves. */
  field: string;
  source: unknown;
  target: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function walk(a: unknown, b: unknown, path: string, out: FieldDifference[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length) && out.length < limit; i++)
      walk(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])])
      walk(a[key], b[key], join(path, key), out, limit);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field: path, source: a, target: b });
}

/**
 * The fields (at most `limit`, default 5) in which two JSON-serialisable values differ, first
 * in document order; empty when they are equal.
 *
 * @example
 * jsonDifferences({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }) // [{ field: 'b[1]', source: 2, target: 3 }]
 */
export function jsonDifferences(source: unknown, target: unknown, limit = 5): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(
    JSON.parse(JSON.stringify(source ?? null)),
    JSON.parse(JSON.stringify(target ?? null)),
    '',
    out,
    limit,
  );
  return out;
}
