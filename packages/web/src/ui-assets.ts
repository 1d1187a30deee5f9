import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SatError } from '@sat/core';

/** Where the build writes the page's bundle: `packages/web/dist/ui` (from `src/` and from `dist/` alike). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));

/** The file the UI build writes beside the bundle, naming its hashed files. */
export const UI_MANIFEST = 'manifest.json';

/** The built page: its hashed script and stylesheet, read into memory. */
export interface UiBundle {
  /** The file names under `/assets/` of the script and the stylesheet. */
  js: string;
  css: string;
  /** Every servable file by name: its bytes and content type. */
  files: Map<string, { body: Uint8Array; type: string }>;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * Reads the bundle `dir` holds (its `manifest.json`, `{ "js": "app-<hash>.js", "css": "app-<hash>.css" }`,
 * and those files). A missing or unreadable bundle is a `NOT_FOUND` SatError that says how to build it.
 *
 * @example
 * const bundle = readUiBundle(DEFAULT_UI_DIR);
 */
export function readUiBundle(dir: string = DEFAULT_UI_DIR): UiBundle {
  const manifestPath = join(dir, UI_MANIFEST);
  const fix = "build it with 'npx -y pnpm@10 --filter @sat/web build' (the API under /api works without it)";
  if (!existsSync(manifestPath))
    throw new SatError('NOT_FOUND', `[web] the page is not built: ${manifestPath} is missing; ${fix}`);
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { js?: unknown; css?: unknown };
    if (typeof manifest.js !== 'string' || typeof manifest.css !== 'string')
      throw new Error('it names no js and css file');
    const files = new Map<string, { body: Uint8Array; type: string }>();
    for (const name of [manifest.js, manifest.css])
      files.set(name, {
        body: readFileSync(join(dir, name)),
        type: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
      });
    return { js: manifest.js, css: manifest.css, files };
  } catch (error) {
    throw new SatError(
      'NOT_FOUND',
      `[web] the page's bundle in ${dir} cannot be read (${(error as Error).message}); ${fix}`,
      { cause: error },
    );
  }
}
