import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureScript, ingestCapture, spoolDir } from '@sat/core';
import { fireHook } from '@sat/core/fixtures';
import { createLiveStream, createWebApp, type LiveStream, startWebServer, type WebServer } from '@sat/web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWebApi } from '../src/commands/serve.js';
import { createContext } from '../src/context.js';
import { sat } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

// The browser-side globals the page functions below read (the cli's types have no DOM).
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: { id: string } | null;
  querySelector(selector: string): unknown;
};
declare const window: { innerWidth: number; marker?: number };
declare const sessionStorage: { getItem(key: string): string | null };
type El = { getAttribute(name: string): string | null };
type Canvas = {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
};
const MAIN = '491e126e-1e71-469c-ade2-fcc8af567c74';
const SUB_ONLY = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
const LIVE = '0c9d3b2a-7777-4888-9999-aaaabbbbcccc';
const TOKEN = 'page-test-token-0123456789';

/**
 * The page of `sat serve` in a real Chromium (Debian's, never a downloaded one) against a real
 * server holding the bundled real transcripts: what a user sees, live updates from real hooks.
 */
describe('sat serve: the page in a browser', () => {
  const home = mkdtempSync(join(tmpdir(), 'sat-page-'));
  const logsDir = join(home, 'logs');
  const script = join(home, 'capture.sh');
  let browser: Browser | undefined;
  let live: LiveStream | undefined;
  let open: WebServer | undefined;
  let guarded: WebServer | undefined;
  const missing = !existsSync(CHROMIUM)
    ? `${CHROMIUM} is not installed (apt-get install chromium)`
    : undefined;

  beforeAll(async () => {
    if (missing) return;
    const imported = await sat(['import', '--sample', '--json'], { home });
    expect(imported.code, imported.stderr).toBe(0);
    mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
    writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
    const ctx = createContext({ home });
    const config = ctx.config();
    live = await createLiveStream({ logsDir, ingest: () => ingestCapture(config) });
    open = await startWebServer(createWebApp({ api: cliWebApi(ctx), live }), { host: '127.0.0.1', port: 0 });
    guarded = await startWebServer(createWebApp({ api: cliWebApi(ctx), live, token: TOKEN }), {
      host: '127.0.0.1',
      port: 0,
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    live?.close();
    await open?.close();
    await guarded?.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function page(width = 1280, height = 800): Promise<Page> {
    const p = await browser!.newPage({ viewport: { width, height } });
    const problems: string[] = [];
    p.on('pageerror', (e) => problems.push(e.message));
    (p as Page & { problems: string[] }).problems = problems;
    return p;
  }
  const sessionRows = (p: Page) => p.locator('table.session-table tbody tr');
  const noHorizontalScroll = (p: Page) =>
    p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('lists the real sessions; sort and search live in the URL and survive a reload', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page();
    await p.goto(`${open!.url}/sessions`);
    await expect.poll(() => sessionRows(p).count()).toBe(4);
    expect(await p.locator('table.session-table').textContent()).toContain(MAIN.slice(0, 8));
    await p.getByRole('button', { name: /^cost/ }).click();
    await p.waitForURL(/sort=-cost/);
    await expect.poll(() => sessionRows(p).first().getAttribute('data-session')).toBe(MAIN);
    await p.fill('#search', SUB_ONLY.slice(0, 6));
    await p.waitForURL(/q=8463c7/);
    await expect.poll(() => sessionRows(p).count()).toBe(1);
    await p.reload();
    await expect.poll(() => sessionRows(p).count()).toBe(1);
    expect(await p.inputValue('#search')).toBe(SUB_ONLY.slice(0, 6));
    expect(new URL(p.url()).searchParams.get('sort')).toBe('-cost');
    expect((p as Page & { problems: string[] }).problems).toEqual([]);
    await p.close();
  });

  it('draws the overview: figures, the usage chart (uPlot), agent performance and the error heatmap', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page();
    await p.goto(`${open!.url}/?days=all`);
    const canvas = p.locator('[data-chart="usage"][data-drawn] canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(100);
    const inked = await canvas.evaluate((node) => {
      const c = node as unknown as Canvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(500);
    const bars = p.locator('svg[data-chart="agents"][data-drawn]');
    await expect.poll(() => bars.textContent()).toContain('Plan');
    const heat = p.locator('svg[data-chart="errors"][data-drawn]');
    await expect.poll(() => heat.textContent()).toContain('agent-a7be2f0');
    const allTime = p.locator('.figure-row').nth(1);
    expect(await allTime.locator('h3').textContent()).toBe('all time (no phase set)');
    expect(await allTime.locator('.figure-value').first().textContent()).toBe('4');
    expect(await p.evaluate(() => performance.getEntriesByName('sat:first-chart').length)).toBe(1);
    await p.close();
  });

  it("shows a session's agent tree (the sub-agent under its Task call), timeline and turns", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page();
    await p.goto(`${open!.url}/sessions/${MAIN}`);
    const task = p.locator('.agent-tree g[data-kind="task"]');
    await task.waitFor();
    expect(await task.getAttribute('data-label')).toBe('Task: Draft beads for linting setup');
    expect(await task.getAttribute('data-depth')).toBe('1');
    const rows = await p
      .locator('.agent-tree g.node')
      .evaluateAll((gs) =>
        (gs as unknown as El[]).map((g) => [
          g.getAttribute('data-kind'),
          g.getAttribute('data-label'),
          g.getAttribute('data-depth'),
        ]),
      );
    expect(rows).toEqual([
      ['agent', 'main', '0'],
      ['task', 'Task: Draft beads for linting setup', '1'],
      ['run', 'Plan', '2'],
    ]);
    expect(
      await p
        .locator('.timeline g[data-lane]')
        .evaluateAll((g) => (g as unknown as El[]).map((x) => x.getAttribute('data-lane'))),
    ).toEqual(['main', 'Plan']);
    expect(await p.locator('.timeline rect.bar.tool').count()).toBe(16);
    const run = await p.locator('.timeline rect.bar.run').boundingBox();
    const span = await p.locator('.timeline').boundingBox();
    expect(run!.width / span!.width).toBeGreaterThan(0.02);
    await p.getByRole('tab', { name: 'conversation' }).click();
    await p.waitForURL(/tab=conversation/);
    expect(await p.locator('.turn').count()).toBe(2);
    await p.reload();
    await expect.poll(() => p.locator('.turn').count()).toBe(2);
    expect(await p.locator('.turn .prompt').first().textContent()).toContain('<command-message>');
    expect(await p.evaluate(() => document.querySelector('command-message'))).toBeNull();
    await p.getByRole('tab', { name: 'handoff' }).click();
    await expect.poll(() => p.locator('[data-tab="handoff"]').textContent()).toContain('No handoff yet');
    await p.getByRole('button', { name: 'write the handoff' }).click();
    await expect.poll(() => p.locator('.markdown h4').allTextContents()).toContain('Goal (first prompt)');
    expect(await p.locator('#resume-command').textContent()).toBe(`claude --resume ${MAIN}`);
    // Reopened, the page reads the newest handoff (GET writes nothing) and offers to write a new one.
    await p.reload();
    await expect.poll(() => p.locator('.markdown h4').allTextContents()).toContain('Goal (first prompt)');
    await expect.poll(() => p.getByRole('button', { name: 'write a new handoff' }).count()).toBe(1);
    await p.goto(`${open!.url}/sessions/${SUB_ONLY}?tab=errors`);
    await expect.poll(() => p.locator('[data-tab="errors"]').textContent()).toContain('EISDIR');
    await p.goto(`${open!.url}/sessions/zzzz-nope`);
    await expect.poll(() => p.locator('.error-box').first().textContent()).toContain('SESSION_NOT_FOUND');
    expect(await p.locator('.error-box').first().textContent()).toContain('zzzz-nope');
    await p.close();
  });

  it('moves with the keys: / j k Enter Esc, g o, g s, ?', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page();
    await p.goto(`${open!.url}/sessions?sort=session`);
    await expect.poll(() => sessionRows(p).count()).toBe(4);
    const ids = await sessionRows(p).evaluateAll((trs) =>
      (trs as unknown as El[]).map((tr) => tr.getAttribute('data-session')),
    );
    await p.keyboard.press('j');
    await p.keyboard.press('j');
    await p.keyboard.press('k');
    expect(await p.locator('tr.selected').getAttribute('data-session')).toBe(ids[1]);
    await p.keyboard.press('Enter');
    await p.waitForURL(new RegExp(`/sessions/${ids[1]}`));
    await p.locator('.session-head').waitFor();
    await p.keyboard.press('Escape');
    await p.waitForURL(/\/sessions\?sort=session$/);
    await p.keyboard.press('g');
    await p.keyboard.press('o');
    await p.waitForURL((u) => u.pathname === '/');
    await p.keyboard.press('g');
    await p.keyboard.press('s');
    await p.waitForURL((u) => u.pathname === '/sessions');
    await p.keyboard.press('/');
    await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe('search');
    await p.keyboard.press('Escape');
    await p.keyboard.press('?');
    await expect.poll(() => p.getByRole('dialog', { name: 'keys' }).isVisible()).toBe(true);
    await p.close();
  });

  it('fits a narrow screen (390x844) without horizontal page scroll', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page(390, 844);
    for (const path of ['/?days=all', '/sessions', `/sessions/${MAIN}`, `/sessions/${MAIN}?tab=cost`]) {
      await p.goto(`${open!.url}${path}`);
      await p.locator('main .card, main .session-table, main .panel').first().waitFor();
      await p.waitForLoadState('networkidle');
      expect(await noHorizontalScroll(p), path).toBe(true);
    }
    await p.close();
  });

  it('on a server with a token: refuses the page without it, serves it (API and stream too) with it', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const p = await page();
    const refused = await p.goto(`${guarded!.url}/sessions`);
    expect(refused!.status()).toBe(401);
    expect(await p.content()).toContain('missing or wrong token');
    const served = await p.goto(`${guarded!.url}/sessions?token=${TOKEN}`);
    expect(served!.status()).toBe(200);
    await expect.poll(() => sessionRows(p).count()).toBe(4);
    await expect.poll(() => p.locator('.conn').textContent()).toContain('live');
    await sessionRows(p).first().locator('a').click();
    await p.locator('.session-head').waitFor();
    expect(new URL(p.url()).searchParams.get('token')).toBe(TOKEN);
    expect(await p.evaluate(() => sessionStorage.getItem('sat-token'))).toBe(TOKEN);
    await p.close();
  });

  it('shows a tool call fired by a real hook process in the open session page, without a reload', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const fire = (hook: string, extra: object = {}) =>
      fireHook(script, home, hook, { session_id: LIVE, cwd: home, hook_event_name: hook, ...extra });
    const tool = async (command: string, id: string) => {
      const call = { tool_name: 'Bash', tool_input: { command }, tool_use_id: id };
      await fire('PreToolUse', call);
      await fire('PostToolUse', { ...call, tool_response: { stdout: 'ok' } });
    };
    const p = await page();
    await p.goto(`${open!.url}/sessions`);
    await expect.poll(() => sessionRows(p).count()).toBe(4);
    await expect.poll(() => p.locator('.conn').textContent()).toContain('live');
    await p.evaluate(() => {
      window.marker = 1;
    });
    await fire('SessionStart', { source: 'startup' });
    await tool('echo first', 'toolu_page_01');
    const row = p.locator(`tr[data-session="${LIVE}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.locator('a').click();
    await p.locator('.timeline rect[data-tool-use-id="toolu_page_01"]').waitFor({ timeout: 15_000 });
    await tool('echo second', 'toolu_page_02');
    await p.locator('.timeline rect[data-tool-use-id="toolu_page_02"]').waitFor({ timeout: 15_000 });
    expect(await p.evaluate(() => window.marker)).toBe(1);
    await p.goto(`${open!.url}/`);
    await expect
      .poll(() => p.locator('#live').textContent(), { timeout: 15_000 })
      .toContain(LIVE.slice(0, 8));
    await p.close();
  });
});
