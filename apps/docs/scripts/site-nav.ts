/**
 * The site's sidebar: hand-ordered groups of pages, the CLI and package pages found on disk, the
 * API modules TypeDoc wrote, and every other page of the site in a last group, so a page
 * added to docs/ is never left out; the API modules are the pages TypeDoc wrote. An entry marked `optional` is a page being written elsewhere:
 * listed when present. A missing non-optional page fails the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One entry of the sidebar. */
export interface NavItem {
  text: string;
  link?: string;
  items?: NavItem[];
  collapsed?: boolean;
}

interface PageRef {
  text: string;
  page: string;
  anchor?: string;
  optional?: boolean;
}

const GROUPS: ReadonlyArray<{ text: string; pages: readonly PageRef[] }> = [
  {
    text: 'Introduction',
    pages: [
      { text: 'Getting started', page: 'getting-started.md' },
      { text: 'Architecture', page: 'ARCHITECTURE.md' },
      { text: 'Configuration', page: 'configuration.md' },
      { text: 'Troubleshooting', page: 'troubleshooting.md' },
      { text: 'Security', page: 'security.md' },
    ],
  },
  {
    text: 'Capture',
    pages: [
      { text: 'Capture with hooks', page: 'capture.md' },
      { text: 'Transcript import and cost', page: 'capture.md', anchor: 'importing-claude-code-transcripts' },
      { text: 'The tracker API', page: 'tracker-api.md' },
      { text: 'Events and the log', page: 'events.md' },
      { text: 'Secret redaction', page: 'redaction.md' },
    ],
  },
  {
    text: 'Sessions',
    pages: [{ text: 'Snapshots, handoffs, recovery', page: 'snapshots-handoffs.md' }],
  },
  {
    text: 'Backups',
    pages: [
      { text: 'Backups to a folder', page: 'backups.md' },
      { text: 'Google Drive', page: 'backups.md', anchor: 'google-drive' },
      { text: 'S3 archives', page: 'backups.md', anchor: 'phase-archives-on-s3' },
    ],
  },
  {
    text: 'Analytics',
    pages: [
      { text: 'The analytics store', page: 'analytics.md' },
      { text: 'MongoDB', page: 'store-mongo.md' },
      { text: 'Migrating: sat migrate', page: 'MIGRATION_GUIDE.md', optional: true },
      { text: 'Reviews', page: 'review.md' },
      { text: 'Insights library', page: 'insights.md' },
      { text: 'Alerts', page: 'alerts.md' },
    ],
  },
  {
    text: 'Views',
    pages: [
      { text: 'The dashboard', page: 'dashboard.md' },
      { text: 'The statusline', page: 'statusline.md' },
      { text: 'The web server', page: 'web.md' },
      { text: 'OpenTelemetry', page: 'otel.md' },
    ],
  },
  {
    text: 'Sharing and privacy',
    pages: [
      { text: 'Sharing sessions', page: 'sharing.md', optional: true },
      { text: 'Privacy and purging', page: 'privacy.md', optional: true },
    ],
  },
  {
    text: 'Reference',
    pages: [
      { text: 'What each command does', page: 'cli-behaviour.md' },
      { text: 'Data formats', page: 'data-formats.md' },
      { text: 'Errors', page: 'errors.md' },
      { text: 'Benchmarks', page: 'benchmarks.md' },
      { text: 'Development', page: 'development.md' },
    ],
  },
];

const link = (page: string, anchor?: string): string =>
  `/${page.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}${anchor ? `#${anchor}` : ''}`;

function markdownPages(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name.startsWith('.') ? [] : markdownPages(path, root);
    return name.endsWith('.md') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

function title(site: string, page: string): string {
  const heading = /^# (.+)$/m.exec(readFileSync(join(site, page), 'utf8'))?.[1] ?? page;
  return heading.replace(/`/g, '');
}

/** The CLI pages in the order of the reference's index table (the registry's order). */
function cliItems(site: string): NavItem[] {
  const index = readFileSync(join(site, 'cli/index.md'), 'utf8');
  const ordered = [...index.matchAll(/\]\(\.\/([a-z-]+)\.md\)/g)].map((m) => `cli/${m[1]}.md`);
  const all = markdownPages(join(site, 'cli'), site).filter((page) => page !== 'cli/index.md');
  const pages = [
    ...ordered.filter((page) => all.includes(page)),
    ...all.filter((page) => !ordered.includes(page)),
  ];
  return pages.map((page) => ({ text: title(site, page), link: link(page) }));
}

/** One entry per page TypeDoc wrote (a module, or a namespace of one), by its title. */
function apiItems(site: string): NavItem[] {
  if (!existsSync(join(site, 'api'))) return [];
  return markdownPages(join(site, 'api'), site)
    .filter((page) => page !== 'api/index.md')
    .map((page) => ({ text: title(site, page), link: link(page) }))
    .sort((a, b) => a.text.localeCompare(b.text));
}

/** The sidebar of the assembled site under `site`; throws naming every required page that is missing. */
export function siteSidebar(site: string): NavItem[] {
  const missing = GROUPS.flatMap((g) => g.pages).filter(
    (p) => !p.optional && !existsSync(join(site, p.page)),
  );
  if (missing.length)
    throw new Error(
      `[docs] pages named in the sidebar are missing: ${missing.map((p) => p.page).join(', ')}`,
    );
  const listed = new Set<string>(['index.md', 'cli/index.md']);
  const groups: NavItem[] = GROUPS.map((group) => ({
    text: group.text,
    items: group.pages
      .filter((p) => existsSync(join(site, p.page)))
      .map((p) => {
        listed.add(p.page);
        return { text: p.text, link: link(p.page, p.anchor) };
      }),
  })).filter((group) => group.items.length > 0);
  const pkgs = markdownPages(join(site, 'packages'), site);
  const rest = markdownPages(site).filter((page) => !listed.has(page) && !/^(cli|packages|api)\//.test(page));
  return [
    ...groups,
    { text: 'CLI reference', link: '/cli/', collapsed: true, items: cliItems(site) },
    { text: 'API reference', link: '/api/', collapsed: true, items: apiItems(site) },
    { text: 'Packages', items: pkgs.map((page) => ({ text: title(site, page), link: link(page) })) },
    ...(rest.length
      ? [{ text: 'More', items: rest.map((page) => ({ text: title(site, page), link: link(page) })) }]
      : []),
  ];
}
