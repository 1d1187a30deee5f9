import { defineConfig } from 'vitepress';
import { githubSlug } from '../scripts/github-slug.ts';
import { siteSidebar } from '../scripts/site-nav.ts';
import { SITE_OUT, SITE_SRC } from '../scripts/site-paths.ts';

export default defineConfig({
  title: 'SubAgent Tracking System',
  description:
    'Records what AI coding agents and their sub-agents do, keeps it safe, and turns it into handoffs, recovery and analytics.',
  srcDir: SITE_SRC,
  outDir: SITE_OUT,
  cacheDir: `${SITE_OUT}/../.vitepress/cache`,
  lastUpdated: false,
  // A dead internal link fails the build (VitePress's default; said here so nobody turns it off).
  ignoreDeadLinks: false,
  markdown: { anchor: { slugify: githubSlug } },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'CLI', link: '/cli/' },
      { text: 'API', link: '/api/' },
      { text: 'Troubleshooting', link: '/troubleshooting' },
      { text: 'llms.txt', link: '/llms.txt', target: '_self' },
    ],
    sidebar: siteSidebar(SITE_SRC),
    search: {
      provider: 'local',
      options: {
        // The API reference (2 MB of tables) is left out of the index: it doubled the build's time;
        // its pages are found through the sidebar and their outlines.
        _render: (src, env, md) => (env.relativePath.startsWith('api/') ? '' : md.render(src, env)),
      },
    },
    outline: { level: [2, 3] },
  },
});
