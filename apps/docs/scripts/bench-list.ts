/**
 * The list of benchmarks (`<!-- generated: bench-list -->`): every bench/*.bench.ts with the
 * command that runs it and the first sentence of its header comment, and the figures table of
 * docs/development.md (`<!-- generated: section development.md#benchmarks -->`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockGenerator } from './generated-blocks.ts';
import { DOCS, REPO } from './site-paths.ts';

function headerSummary(source: string): string {
  const comment = /^\/\*\*([\s\S]*?)\*\//m.exec(source)?.[1] ?? '';
  const text = comment
    .replace(/^\s*\* ?/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return (/^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text).replace(/\|/g, '\\|');
}

const benchList: BlockGenerator = () => {
  const dir = join(REPO, 'bench');
  const rows = readdirSync(dir)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort()
    .map((name) => {
      const bench = name.replace(/\.bench\.ts$/, '');
      const summary = headerSummary(readFileSync(join(dir, name), 'utf8')) || '(see the file)';
      return `| \`pnpm bench ${bench}\` | \`bench/${name}\` | ${summary} |`;
    });
  return ['| command | file | what it measures |', '| --- | --- | --- |', ...rows].join('\n');
};

/** `file#heading`: the body of that `##` section of a page of docs/, without its heading. */
const section: BlockGenerator = (args) => {
  const [file = '', anchor = ''] = args.split('#');
  const text = readFileSync(join(DOCS, file), 'utf8');
  const parts = text.split(/^## /m);
  const found = parts.find(
    (part) => part.split('\n')[0]?.trim().toLowerCase().replace(/\s+/g, '-') === anchor,
  );
  if (!found)
    throw new Error(`[docs] docs/${file} has no "## ${anchor}" section (named by a generated section block)`);
  return found.slice(found.indexOf('\n') + 1).trim();
};

/** The generators of the benchmarks page, by block name. */
export const BENCH_BLOCKS: Readonly<Record<string, BlockGenerator>> = { 'bench-list': benchList, section };
