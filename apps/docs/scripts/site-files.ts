/**
 * Which repository file becomes which page of the site, and the rewriting of relative links
 * between them: docs/**.md keep their path, packages/<name>/README.md become packages/<name>.md,
 * SECURITY.md becomes security.md, README.md is the home page.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { DOCS, REPO } from './site-paths.ts';

/** One Markdown file of the repository and the path of its page under the site's source. */
export interface SiteFile {
  /** Path in the repository, e.g. `docs/capture.md`. */
  repoPath: string;
  /** Path under the site's source, e.g. `capture.md`. */
  sitePath: string;
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownUnder(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const toPosix = (path: string): string => path.split('\\').join('/');

/** Every repository file the site is made of, found on disk (so a page added to docs/ is picked up). */
export function siteFiles(): SiteFile[] {
  const docs = markdownUnder(DOCS).map((path) => ({
    repoPath: toPosix(relative(REPO, path)),
    sitePath: toPosix(relative(DOCS, path)),
  }));
  const packages = readdirSync(join(REPO, 'packages'))
    .filter((name) => existsSync(join(REPO, 'packages', name, 'README.md')))
    .map((name) => ({ repoPath: `packages/${name}/README.md`, sitePath: `packages/${name}.md` }));
  return [...docs, ...packages, { repoPath: 'SECURITY.md', sitePath: 'security.md' }];
}

/** Repository path to site path, for the files of {@link siteFiles} plus the README (the home page). */
export function siteMap(files: readonly SiteFile[]): Map<string, string> {
  return new Map([
    ...files.map((file) => [file.repoPath, file.sitePath] as const),
    ['README.md', 'index.md'],
  ]);
}

const LINK = /(\]\()([^)\s]+)(\))/g;

/**
 * A link to a repository file that is not a page (`[registry.ts](../packages/cli/src/registry.ts)`)
 * as its text and path: the site has no copy of the sources to link to. A link to nothing is kept,
 * so the dead-link check reports it.
 */
function sourceLink(whole: string, repoPath: string): string {
  if (!existsSync(join(REPO, repoPath))) return whole;
  return `](${SOURCE_MARK}${repoPath})`;
}

/** Marks a source link for {@link rewriteLinks}'s second pass (a link's text is before its `](`). */
const SOURCE_MARK = 'sat-source:';

/**
 * `markdown` of `file` with every relative link to another site file pointing at that file's page
 * (`../SECURITY.md` in docs/capture.md becomes `./security.md`). Links outside code fences only;
 * a link to a repository file that is not a page is left as it is (the dead-link check reports it).
 */
export function rewriteLinks(markdown: string, file: SiteFile, map: ReadonlyMap<string, string>): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return line;
      return line
        .replace(LINK, (whole, open: string, target: string, close: string) => {
          if (/^([a-z]+:|#|\/)/i.test(target)) return whole;
          const [path = '', anchor] = target.split('#');
          const repoTarget = posix.normalize(posix.join(posix.dirname(file.repoPath), path));
          const site = map.get(repoTarget);
          if (site === undefined) return sourceLink(whole, repoTarget);
          let link = posix.relative(posix.dirname(file.sitePath), site);
          if (!link.startsWith('.')) link = `./${link}`;
          return `${open}${link}${anchor === undefined ? '' : `#${anchor}`}${close}`;
        })
        .replace(/\[([^\]]*)\]\(sat-source:([^)]+)\)/g, (_link, text: string, path: string) =>
          text.includes(path) || text.replace(/`/g, '') === path ? text : `${text} (\`${path}\`)`,
        );
    })
    .join('\n');
}

/** The repository folder of a site file, for resolving what it includes. */
export const repoDir = (file: SiteFile): string => dirname(join(REPO, file.repoPath));

const HTML_TAGS = new Set(
  'a abbr b br code details div em hr i img kbd li ol p picture pre source span strong sub summary sup table tbody td th thead tr ul video'.split(
    ' ',
  ),
);

/**
 * `markdown` with every `<word>` outside code that is not an HTML tag written as text
 * (`sat phase set <N>` would otherwise open an element the page's Vue template never closes).
 */
export function escapePlaceholders(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return line;
      return line
        .split(/(`+[^`]*`+)/)
        .map((part, i) =>
          i % 2 === 1
            ? part
            : part.replace(/<\/?([A-Za-z][\w.:-]*)([^>]*)>/g, (tag, name: string) =>
                HTML_TAGS.has(name.toLowerCase()) ? tag : tag.replace(/</g, '&lt;').replace(/>/g, '&gt;'),
              ),
        )
        .join('');
    })
    .join('\n');
}

const EXAMPLE_BLOCK = /<!-- example: (\S+) -->\n```ts\n[\s\S]*?```/g;

/**
 * `markdown` with every `<!-- example: FILE -->` code block (the copy GitHub shows, checked against
 * FILE by the site test) replaced by a snippet import of FILE itself, so the site shows the
 * type-checked file as it is.
 */
export function importExamples(markdown: string, siteSrc: string): string {
  return markdown.replace(EXAMPLE_BLOCK, (_block, file: string) => {
    const path = posix.relative(toPosix(siteSrc), toPosix(join(REPO, file)));
    return `<!-- example: ${file} -->\n<<< @/${path}`;
  });
}
