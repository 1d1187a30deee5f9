import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUi } from '../ui/build-ui.js';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Vitest global setup of the web project: builds the page's bundle (dist/ui) when it is missing or
 * older than ui/, so the tests that serve the real page have it without a build step first.
 */
export default async function setup(): Promise<void> {
  const manifest = join(WEB, 'dist', 'ui', 'manifest.json');
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= newestMtime(join(WEB, 'ui'))) return;
  await buildUi();
}
