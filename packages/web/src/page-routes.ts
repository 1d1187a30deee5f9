import { isSatError } from '@sat/core';
import type { Context, Hono } from 'hono';
import { readUiBundle, type UiBundle } from './ui-assets.js';

/** The page's Content-Security-Policy: its own scripts, styles and API only; no inline script. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const YEAR = 31_536_000;

function secure(c: Context): void {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The HTML shell: the hashed stylesheet and script (with `?token=` when the server has one). */
function shell(bundle: UiBundle, token: string | undefined): string {
  const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sat</title>
<link rel="stylesheet" href="/assets/${escapeHtml(bundle.css + q)}">
<script type="module" src="/assets/${escapeHtml(bundle.js + q)}"></script>
</head><body><div id="app"></div>
<noscript>This page needs JavaScript; the JSON API is under /api (see docs/web.md).</noscript>
</body></html>
`;
}

/** The page said instead of the shell when the bundle cannot be read: what is wrong and the fix. */
function missingPage(code: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sat: the page is not built</title></head>
<body><h1>The page is not built</h1><p><code>${escapeHtml(code)}</code> ${escapeHtml(message)}</p>
<p>The JSON API still answers under <code>/api</code> (see docs/web.md).</p></body></html>
`;
}

/** Options of {@link pageRoutes}. */
export interface PageRoutesOptions {
  /** The folder of the built bundle. Default: `packages/web/dist/ui`. */
  uiDir?: string;
  /** The server's token, echoed in the shell's asset URLs. */
  token?: string;
}

/**
 * The page: `/assets/<hashed file>` with year-long immutable caching, and the HTML shell for every
 * other GET outside `/api` and `/v1` (the page routes in the browser, so any view's URL reloads
 * to it), with a strict CSP and `nosniff`. A missing bundle answers 503 with a page naming the fix,
 * and is looked for again on the next request.
 *
 * @example
 * pageRoutes(app, { token });
 */
export function pageRoutes(app: Hono, options: PageRoutesOptions = {}): void {
  let bundle: UiBundle | undefined;
  const load = () => {
    bundle ??= readUiBundle(options.uiDir);
    return bundle;
  };
  app.get('/assets/:file', (c) => {
    secure(c);
    let file: { body: Uint8Array; type: string } | undefined;
    try {
      file = load().files.get(c.req.param('file'));
    } catch {
      file = undefined;
    }
    if (!file) return c.notFound();
    c.header('Cache-Control', `public, max-age=${YEAR}, immutable`);
    c.header('Content-Type', file.type);
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });
  app.get('*', (c) => {
    if (/^\/(api|v1)(\/|$)/.test(c.req.path)) return c.notFound();
    secure(c);
    c.header('Cache-Control', 'no-store');
    try {
      return c.html(shell(load(), options.token));
    } catch (error) {
      if (!isSatError(error)) throw error;
      return c.html(missingPage(error.code, error.message), 503);
    }
  });
}
