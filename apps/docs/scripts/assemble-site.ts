/**
 * Assembles the site's source (`apps/docs/.site`, VitePress's srcDir) from the repository: every
 * page of docs/, the package READMEs and SECURITY.md with their links rewritten, the home page, the generated blocks filled in (error codes, schemas, benches, real
 * CLI output) and the API reference from TypeDoc. Nothing is copied into the repository.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ApiMember, writeApiReference } from './api-reference.ts';
import { BENCH_BLOCKS } from './bench-list.ts';
import { createCliSandbox, satRunBlock } from './cli-runs.ts';
import { troubleshootingEntries } from './error-entries.ts';
import { FORMAT_BLOCKS } from './format-tables.ts';
import { type BlockGenerator, fillGeneratedBlocks } from './generated-blocks.ts';
import { homePage } from './home-page.ts';
import { escapePlaceholders, importExamples, rewriteLinks, siteFiles, siteMap } from './site-files.ts';
import { API_MEMBERS, APP, SITE_SRC } from './site-paths.ts';

/** What the assembly wrote. */
export interface AssembledSite {
  /** Site paths of the pages copied from the repository (`capture.md`, `packages/cli.md`). */
  pages: string[];
  /** Every exported member of the public entry points, from TypeDoc. */
  members: ApiMember[];
}

/** Writes the site's source afresh under {@link SITE_SRC}. */
export async function assembleSite(): Promise<AssembledSite> {
  rmSync(SITE_SRC, { recursive: true, force: true });
  mkdirSync(SITE_SRC, { recursive: true });
  writeFileSync(join(SITE_SRC, 'index.md'), homePage());
  const files = siteFiles();
  const map = siteMap(files);
  const sandbox = createCliSandbox();
  const generators: Record<string, BlockGenerator> = {
    ...FORMAT_BLOCKS,
    ...BENCH_BLOCKS,
    'error-codes': () => troubleshootingEntries(),
    'sat-run': satRunBlock(sandbox),
  };
  try {
    for (const file of files) {
      const source = readFileSync(join(APP, '../..', file.repoPath), 'utf8');
      const linked = importExamples(escapePlaceholders(rewriteLinks(source, file, map)), SITE_SRC);
      const page = await fillGeneratedBlocks(linked, file.repoPath, generators);
      const target = join(SITE_SRC, file.sitePath);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, page);
    }
  } finally {
    sandbox.dispose();
  }
  const members = await writeApiReference(join(SITE_SRC, 'api'));
  writeFileSync(API_MEMBERS, JSON.stringify(members));
  return { pages: files.map((file) => file.sitePath), members };
}
