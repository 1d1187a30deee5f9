/**
 * What agents read: the Markdown of every page next to its HTML (`/capture.md` beside
 * `/capture.html`, snippet imports inlined), `llms.txt` (every page, grouped as in the sidebar,
 * with its first sentence) and `llms-full.txt` (every page in full), as llmstxt.org describes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { NavItem } from './site-nav.ts';

/** One page as agents get it. */
export interface MarkdownPage {
  /** Site path of its Markdown, e.g. `capture.md`. */
  path: string;
  title: string;
  summary: string;
  markdown: string;
}

function markdownFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name.startsWith('.') ? [] : markdownFiles(path, root);
    return name.endsWith('.md') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** `<<< @/path` and `<<< ./path` snippet imports replaced by the file they import, as a fenced block. */
export function inlineSnippets(markdown: string, site: string, page: string): string {
  return markdown.replace(/^<<< (\S+?)(?:\{[^}]*\})?\s*$/gm, (_line, target: string) => {
    const file = target.startsWith('@/')
      ? resolve(site, target.slice(2))
      : resolve(dirname(join(site, page)), target);
    return `\`\`\`${extname(file).slice(1)}\n${readFileSync(file, 'utf8').trimEnd()}\n\`\`\``;
  });
}

function frontMatterless(markdown: string): { body: string; title?: string; description?: string } {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) return { body: markdown };
  const yaml = match[1] ?? '';
  const field = (name: string): string | undefined => {
    if (yaml.trimStart().startsWith('{'))
      return (JSON.parse(yaml) as Record<string, string | undefined>)[name];
    return new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(yaml)?.[1]?.replace(/^['"]|['"]$/g, '');
  };
  const title = field('title');
  const description = field('description');
  return {
    body: markdown.slice(match[0].length),
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
  };
}

function summaryOf(body: string): string {
  const paragraph = body
    .replace(/^```[\s\S]*?^```/gm, '')
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .find((part) => part && !/^(#|<|```|\||-|\*|!|:::)/.test(part));
  const text = (paragraph ?? '').replace(/\s+/g, ' ');
  return /^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text;
}

/** Every page of the assembled site under `site`, as agents get it. */
export function markdownPages(site: string): MarkdownPage[] {
  return markdownFiles(site).map((path) => {
    const { body, title, description } = frontMatterless(readFileSync(join(site, path), 'utf8'));
    const markdown = inlineSnippets(body, site, path).replace(/<!-- \/?generated[^>]*-->\n?/g, '');
    const heading = /^# (.+)$/m.exec(markdown)?.[1]?.replace(/`/g, '');
    return { path, title: title ?? heading ?? path, summary: description ?? summaryOf(markdown), markdown };
  });
}

const pageOf = (link: string): string => {
  const path = link.split('#')[0]?.replace(/^\//, '') ?? '';
  return path === '' || path.endsWith('/') ? `${path}index.md` : `${path}.md`;
};

function navPages(items: readonly NavItem[]): Array<{ group: string; page: string }> {
  return items.flatMap((group) =>
    [
      group,
      ...(group.items ?? []).flatMap(function flat(item): NavItem[] {
        return [item, ...(item.items ?? []).flatMap(flat)];
      }),
    ]
      .filter((item) => item.link && !item.link.includes('#'))
      .map((item) => ({ group: group.text, page: pageOf(item.link as string) })),
  );
}

/** Writes each page's Markdown, llms.txt and llms-full.txt into `out`; returns the pages written. */
export function writeLlmsFiles(
  site: string,
  out: string,
  sidebar: readonly NavItem[],
  intro: string,
): MarkdownPage[] {
  const pages = markdownPages(site);
  for (const page of pages) {
    const target = join(out, page.path);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target.replace(/\.md$/, '.html')))
      throw new Error(`[docs] ${page.path}: no HTML page was built for it`);
    writeFileSync(target, page.markdown);
  }
  const byPath = new Map(pages.map((page) => [page.path, page]));
  const sections = new Map<string, MarkdownPage[]>();
  const placed = new Set<string>();
  for (const { group, page } of [
    ...navPages(sidebar),
    ...pages.map((p) => ({ group: 'Other pages', page: p.path })),
  ]) {
    const found = byPath.get(page);
    if (!found || placed.has(page)) continue;
    placed.add(page);
    sections.set(group, [...(sections.get(group) ?? []), found]);
  }
  const lines = ['# SubAgent Tracking System', '', `> ${intro}`, ''];
  for (const [group, list] of sections) {
    lines.push(
      `## ${group}`,
      '',
      ...list.map((p) => `- [${p.title}](/${p.path})${p.summary ? `: ${p.summary}` : ''}`),
      '',
    );
  }
  writeFileSync(join(out, 'llms.txt'), lines.join('\n'));
  const full = [...sections.values()].flat().map((p) => `<!-- /${p.path} -->\n\n${p.markdown.trim()}\n`);
  writeFileSync(
    join(out, 'llms-full.txt'),
    [`# SubAgent Tracking System\n\n> ${intro}\n`, ...full].join('\n'),
  );
  return pages;
}
