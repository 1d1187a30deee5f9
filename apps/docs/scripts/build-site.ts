/**
 * `pnpm docs:build`: assembles the site's source, builds it with VitePress (a dead internal link
 * fails the build), then writes every page's Markdown, llms.txt and llms-full.txt beside the HTML.
 */
import { build } from 'vitepress';
import { assembleSite } from './assemble-site.ts';
import { writeLlmsFiles } from './llms-files.ts';
import { siteSidebar } from './site-nav.ts';
import { APP, SITE_OUT, SITE_SRC } from './site-paths.ts';

/** Builds the whole site into apps/docs/dist; returns the number of pages. */
export async function buildSite(): Promise<number> {
  const started = Date.now();
  await assembleSite();
  const assembled = Date.now();
  await build(APP);
  const config = (await import('../.vitepress/config.ts')).default;
  const pages = writeLlmsFiles(SITE_SRC, SITE_OUT, siteSidebar(SITE_SRC), config.description ?? '');
  console.log(
    `docs: ${pages.length} pages in ${SITE_OUT} (assembled in ${((assembled - started) / 1000).toFixed(1)} s, built in ${((Date.now() - assembled) / 1000).toFixed(1)} s)`,
  );
  return pages.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildSite().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
