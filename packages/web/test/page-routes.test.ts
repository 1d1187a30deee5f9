import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebApi } from '../src/index.js';
import { createWebApp, DEFAULT_UI_DIR, PAGE_CSP } from '../src/index.js';

const api: WebApi = {
  sessions: async () => [],
  sessionPhase: async () => '0',
  show: async () => ({}),
  events: async () => [],
  stats: async () => ({}),
  alerts: async () => ({}),
  snapshots: async () => ({}),
  handoff: async () => ({}),
  createHandoff: async () => ({}),
  backups: async () => ({}),
};

const built = JSON.parse(readFileSync(join(DEFAULT_UI_DIR, 'manifest.json'), 'utf8')) as {
  js: string;
  css: string;
};

describe('the page: shell, assets, token, missing bundle', () => {
  const empty = mkdtempSync(join(tmpdir(), 'sat-ui-missing-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('serves the shell for every view URL, with the CSP and nosniff; /api stays JSON', async () => {
    const app = createWebApp({ api });
    for (const path of ['/', '/sessions', '/sessions/abc?tab=timeline', '/?days=7&sort=-cost']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toContain(`<script type="module" src="/assets/${built.js}">`);
      expect(html).toContain(`href="/assets/${built.css}"`);
      expect(html.match(/<script/g)).toHaveLength(1);
    }
    expect(PAGE_CSP).toContain("default-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    const unknown = await app.request('/api/nothing');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('serves the hashed assets with a year-long immutable cache; an unknown asset is 404', async () => {
    const app = createWebApp({ api });
    const js = await app.request(`/assets/${built.js}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await app.request(`/assets/${built.css}`)).headers.get('content-type')).toContain('text/css');
    expect((await app.request('/assets/app-NOPE.js')).status).toBe(404);
  });

  it('with a token: the shell and assets need it, and the shell passes it on to its assets', async () => {
    const app = createWebApp({ api, token: 's3cret' });
    expect((await app.request('/sessions')).status).toBe(401);
    expect((await app.request(`/assets/${built.js}`)).status).toBe(401);
    const shell = await app.request('/sessions?token=s3cret');
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain(`/assets/${built.js}?token=s3cret`);
    expect((await app.request(`/assets/${built.js}?token=s3cret`)).status).toBe(200);
  });

  it('without a built bundle: a 503 page naming the file and the build command; it is found once built', async () => {
    const app = createWebApp({ api, uiDir: empty });
    const res = await app.request('/sessions');
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain(join(empty, 'manifest.json'));
    expect(html).toContain('--filter @sat/web build');
    expect((await app.request('/api/sessions')).status).toBe(200);
    writeFileSync(join(empty, 'app-X.js'), 'console.log(1)');
    writeFileSync(join(empty, 'app-X.css'), 'body{}');
    writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ js: 'app-X.js', css: 'app-X.css' }));
    expect((await app.request('/sessions')).status).toBe(200);
    expect(await (await app.request('/assets/app-X.js')).text()).toBe('console.log(1)');
  });
});
