import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

/** What {@link buildUi} wrote: the hashed file names (under `outDir`) and their sizes in bytes. */
export interface UiBuild {
  js: string;
  css: string;
  bytes: { js: number; css: number };
}

/**
 * Bundles the page (`ui/src/main.tsx`, Preact and uPlot) with esbuild into `outDir` (default
 * `dist/ui`): one minified `app-<hash>.js`, one `app-<hash>.css` and `manifest.json` naming them.
 *
 * @example
 * await buildUi(); // dist/ui/app-3F2A9C1B.js, dist/ui/app-77D0E1AA.css, dist/ui/manifest.json
 */
export async function buildUi(outDir = join(HERE, '..', 'dist', 'ui')): Promise<UiBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(HERE, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: outDir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const pick = (ext: string) => {
    const found = outputs.find(([path]) => path.endsWith(ext));
    if (!found) throw new Error(`[web] the UI build wrote no ${ext} file`);
    return { name: basename(found[0]), bytes: found[1].bytes };
  };
  const js = pick('.js');
  const css = pick('.css');
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ js: js.name, css: css.name })}\n`);
  return { js: js.name, css: css.name, bytes: { js: js.bytes, css: css.bytes } };
}
