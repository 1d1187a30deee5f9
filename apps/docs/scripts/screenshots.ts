/**
 * Screenshots of built pages in Debian's Chromium (headless, never a downloaded browser), to look
 * at before a change of the site ships: `node --import tsx scripts/screenshots.ts [out-dir]`
 * after `pnpm docs:build`. Writes `docs-<page>.png` (default folder /work/shots).
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { SITE_OUT } from './site-paths.ts';

const PAGES = [
  'index',
  'getting-started',
  'getting-started#the-first-session',
  'troubleshooting',
  'data-formats',
  'cli/init',
  'api/@sat/store-sqlite',
];
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const out = process.argv[2] ?? '/work/shots';
mkdirSync(out, { recursive: true });
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')).replace(
    /^(\.\.[/\\])+/,
    '',
  );
  let file = join(SITE_OUT, path);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
  if (!existsSync(file)) return void res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const { port } = server.address() as AddressInfo;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const name of PAGES) {
    const [path = '', anchor] = name.split('#');
    const url = `http://127.0.0.1:${port}/${path === 'index' ? '' : `${path}.html`}${anchor ? `#${anchor}` : ''}`;
    await page.goto(url, { waitUntil: 'networkidle' });
    const file = join(out, `docs-${name.replace(/[/@#]+/g, '-')}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  }
} finally {
  await browser.close();
  server.close();
}
