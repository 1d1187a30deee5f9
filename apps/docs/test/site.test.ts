import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../../packages/cli/src/command-spec.ts';
import { COMMANDS } from '../../../packages/cli/src/registry.ts';
import { type ApiMember, apiEntryPoints } from '../scripts/api-reference.ts';
import { errorCodes } from '../scripts/error-entries.ts';
import { API_MEMBERS, APP, SITE_OUT } from '../scripts/site-paths.ts';

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'assets' ? [] : htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

const page = (path: string): string => readFileSync(join(SITE_OUT, path), 'utf8');
/** The page's content, without the sidebar and navigation every page repeats. */
const content = (html: string): string => html.slice(html.indexOf('<main'), html.lastIndexOf('</main>'));
const escapeRegExp = (text: string): string => text.replace(/[$()[\]]/g, '\\$&');
const ids = (html: string): Set<string> =>
  new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string));

let pages: string[] = [];

beforeAll(async () => {
  // One build for the whole file: assembly, TypeDoc (cached by source hash), VitePress, llms.txt.
  // Asynchronous, so the worker keeps answering vitest while the build runs.
  const build = spawn(
    process.execPath,
    ['--conditions=sat-source', '--import', 'tsx', 'scripts/build-site.ts'],
    {
      cwd: APP,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const code = await new Promise<number | null>((done) => build.on('close', done));
  expect(code, 'pnpm docs:build failed (its output is above)').toBe(0);
  pages = htmlFiles(SITE_OUT).map((file) => relative(SITE_OUT, file).split('\\').join('/'));
});

describe('the docs site', () => {
  it('has a page for every command of the registry, and a section for every sub-command', () => {
    const walk = (specs: readonly CommandSpec[], top?: string): void => {
      for (const spec of specs) {
        const file = `cli/${top ?? spec.name}.html`;
        expect(pages, `sat ${top ? `${top} ` : ''}${spec.name}`).toContain(file);
        expect(content(page(file))).toContain(`sat ${top ? `${top} ` : ''}${spec.name}`);
        if (spec.kind === 'group') walk(spec.subcommands, top ?? spec.name);
      }
    };
    walk(COMMANDS);
  });

  it('lists every error code of errors.ts on the troubleshooting page, with its cause and fix', () => {
    const html = content(page('troubleshooting.html'));
    const codes = errorCodes();
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      const at = html.search(new RegExp(`<h3 id="[^"]*"[^>]*><code>${code}</code>`));
      expect(at, code).toBeGreaterThan(-1);
      const entry = html.slice(at, html.indexOf('<h3', at + 1) >>> 0 || undefined);
      expect(entry, code).toMatch(/Cause:[\s\S]*Fix:/);
    }
  });

  it('documents every exported member of every public entry point', () => {
    const members = JSON.parse(readFileSync(API_MEMBERS, 'utf8')) as ApiMember[];
    const modules = new Set(members.map((m) => m.module));
    // Every entry point of tsconfig.api.json is a module of the reference, each with its members.
    for (const file of apiEntryPoints()) {
      const name = /@module (\S+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? file;
      expect(modules, name).toContain(name);
    }
    const apiPages = pages
      .filter((p) => p.startsWith('api/'))
      .map((p) => ({ path: p, html: content(page(p)) }));
    const titled = (name: string) => new RegExp(`<h1 id="[^"]*"[^>]*>${escapeRegExp(name)}\\s`);
    for (const member of members) {
      const label = `${member.module}: ${member.name}`;
      expect(member.documented, `${label} has no doc comment`).toBe(true);
      const modulePage = apiPages.find((p) => titled(member.module).test(p.html));
      expect(modulePage, `the API page of ${member.module}`).toBeDefined();
      const html = modulePage?.html ?? '';
      const heading = new RegExp(
        `<h3 id="[^"]*"[^>]*>(?:<code>)?${escapeRegExp(member.name)}(?:\\(\\))?(?:</code>)?\\s`,
      );
      const at = html.search(heading);
      // A namespace (an object of functions, like the contract suites) gets a page of its own.
      const folder = (modulePage?.path ?? '').replace(/(\/index)?\.html$/, '/');
      const own = apiPages.find((p) => p.path.startsWith(folder) && titled(member.name).test(p.html));
      expect(at > -1 || own !== undefined, `${label} has no entry`).toBe(true);
      const entry =
        at > -1 ? html.slice(at, html.indexOf('<h3', at + 1) >>> 0 || undefined) : (own?.html ?? '');
      expect(entry, `${label} has no description`).toMatch(/<p>/);
    }
    expect(members.length).toBeGreaterThan(500);
  });

  it('has no broken internal link or anchor in any built page', () => {
    const broken: string[] = [];
    const idCache = new Map<string, Set<string>>();
    for (const file of pages) {
      const html = content(page(file));
      for (const [, href] of html.matchAll(/<a [^>]*href="([^"]+)"/g)) {
        if (!href || /^([a-z]+:|\/\/)/i.test(href) || href.endsWith('.txt')) continue;
        const [path = '', anchor] = href.split('#');
        const target =
          path === ''
            ? file
            : relative(
                SITE_OUT,
                resolve(SITE_OUT, path.startsWith('/') ? `.${path}` : join(dirname(file), path)),
              );
        const resolved = target.endsWith('/') || target === '' ? `${target}index.html` : target;
        if (!existsSync(join(SITE_OUT, resolved))) {
          broken.push(`${file}: ${href}`);
          continue;
        }
        if (!anchor || !resolved.endsWith('.html')) continue;
        if (!idCache.has(resolved)) idCache.set(resolved, ids(page(resolved)));
        if (!idCache.get(resolved)?.has(decodeURIComponent(anchor))) broken.push(`${file}: ${href}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('serves every page as Markdown too, and llms.txt lists every page', () => {
    const llms = readFileSync(join(SITE_OUT, 'llms.txt'), 'utf8');
    const full = readFileSync(join(SITE_OUT, 'llms-full.txt'), 'utf8');
    for (const file of pages.filter((p) => p !== '404.html')) {
      const markdown = file.replace(/\.html$/, '.md');
      expect(existsSync(join(SITE_OUT, markdown)), markdown).toBe(true);
      expect(llms, markdown).toContain(`](/${markdown})`);
      expect(full, markdown).toContain(`<!-- /${markdown} -->`);
    }
  });

  it('shows real CLI output on the getting started page', () => {
    const markdown = page('getting-started.md');
    expect(markdown).toContain('$ sat quickstart');
    expect(markdown).toMatch(/\d+ events appended to \d+ sessions/);
    expect(markdown).not.toContain('filled in by the docs build');
  });
});

describe('the package READMEs and example blocks', () => {
  const REPO = join(APP, '../..');
  const readmes = readdirSync(join(REPO, 'packages')).map((name) => ({
    name,
    file: join(REPO, 'packages', name, 'README.md'),
  }));
  const markdownFiles = [
    ...readmes.map((r) => r.file),
    ...readdirSync(join(REPO, 'docs'))
      .filter((n) => n.endsWith('.md'))
      .map((n) => join(REPO, 'docs', n)),
  ];

  it('every package has a README: what it is, how to install it, an example, its guide', () => {
    for (const { name, file } of readmes) {
      expect(existsSync(file), `packages/${name}/README.md`).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text, name).toMatch(new RegExp(`^# @sat/${name}\\n\\n\\S`));
      expect(text, name).toMatch(new RegExp(`## Install\\n\\n\`\`\`sh\\nnpm i (-g )?[^\\n]*@sat/${name}`));
      expect(text, name).toMatch(/## Example\n\n(<!-- example: \S+ -->\n)?```(ts|sh)\n/);
      expect(text, name).toMatch(/\]\(\.\.\/\.\.\/docs\/[^)]+\.md(#[^)]*)?\)/);
    }
  });

  it('every example block is the code of the type-checked file it names', () => {
    let blocks = 0;
    for (const file of markdownFiles) {
      for (const [, example, code] of readFileSync(file, 'utf8').matchAll(
        /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g,
      )) {
        blocks += 1;
        expect(existsSync(join(REPO, example as string)), `${file}: ${example}`).toBe(true);
        expect(readFileSync(join(REPO, example as string), 'utf8'), `${file}: ${example}`).toContain(
          (code as string).trim(),
        );
      }
    }
    expect(blocks).toBeGreaterThanOrEqual(6);
  });
});
