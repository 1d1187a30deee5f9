/**
 * Writes the CLI reference (docs/cli/*.md) from the command registry: `pnpm docs:cli`.
 * A test (packages/cli/test/cli-reference.test.ts) fails when the files are out of date.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliReference } from '../packages/cli/src/reference/cli-reference.js';

const dir = fileURLToPath(new URL('../docs/cli/', import.meta.url));
mkdirSync(dir, { recursive: true });
const pages = cliReference();
const names = new Set(pages.map((page) => page.file));
for (const stale of readdirSync(dir)) if (!names.has(stale)) rmSync(join(dir, stale));
for (const page of pages) writeFileSync(join(dir, page.file), page.markdown);
console.log(`wrote ${pages.length} pages to docs/cli/`);
