/**
 * The troubleshooting page's entries: every code of `SatErrorCode` (read from
 * packages/core/src/errors.ts) with its cause and fix (the `### \`CODE\`` sections of
 * docs/errors.md) and the packages that raise it. A code without an entry, or an entry for no
 * code, fails the build.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './site-paths.ts';

/** The codes of `SatErrorCode`, in their order in errors.ts. */
export function errorCodes(): string[] {
  const source = readFileSync(join(REPO, 'packages/core/src/errors.ts'), 'utf8');
  const union = /export type SatErrorCode =([^;]+);/.exec(source)?.[1];
  if (!union)
    throw new Error('[docs] packages/core/src/errors.ts: no `export type SatErrorCode = ...;` found');
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as string);
}

/** The `### \`CODE\`` sections of docs/errors.md, by code. */
export function errorEntries(markdown: string): Map<string, string> {
  const entries = new Map<string, string>();
  const sections = markdown.split(/^### `([A-Z_]+)`\s*$/m);
  for (let i = 1; i < sections.length; i += 2) {
    entries.set(sections[i] as string, (sections[i + 1] ?? '').split(/^#{1,2} /m)[0]?.trim() ?? '');
  }
  return entries;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The packages whose src raises each code (`SatError('CODE'` or a code on its own line of a call). */
function raisedBy(codes: readonly string[]): Map<string, string[]> {
  const by = new Map(codes.map((code) => [code, [] as string[]]));
  for (const name of readdirSync(join(REPO, 'packages'))) {
    const src = join(REPO, 'packages', name, 'src');
    const text = statSync(src, { throwIfNoEntry: false })
      ? sourceFiles(src).map((f) => readFileSync(f, 'utf8'))
      : [];
    const all = text.join('\n');
    for (const code of codes) {
      if (new RegExp(`SatError\\(\\s*'${code}'`).test(all)) by.get(code)?.push(`@sat/${name}`);
    }
  }
  return by;
}

/** The Markdown of every entry, in code order; throws listing every code without an entry. */
export function troubleshootingEntries(): string {
  const codes = errorCodes();
  const entries = errorEntries(readFileSync(join(REPO, 'docs/errors.md'), 'utf8'));
  const missing = codes.filter((code) => !entries.get(code));
  const stale = [...entries.keys()].filter((code) => !codes.includes(code));
  if (missing.length || stale.length) {
    throw new Error(
      `[docs] docs/errors.md: ${missing.length ? `no entry for ${missing.join(', ')}` : ''}${missing.length && stale.length ? '; ' : ''}${stale.length ? `entries for unknown codes ${stale.join(', ')}` : ''} (add a "### \`CODE\`" section with its cause and fix for every code of SatErrorCode in packages/core/src/errors.ts)`,
    );
  }
  const raisers = raisedBy(codes);
  return codes
    .map((code) => {
      const by = raisers.get(code) ?? [];
      const raised = by.length ? `\n\n- **Raised by:** ${by.map((p) => `\`${p}\``).join(', ')}` : '';
      return `### \`${code}\`\n\n${entries.get(code)}${raised}`;
    })
    .join('\n\n');
}
