/**
 * The page-load figure of `sat serve`: Debian's Chromium (never a downloaded browser), driven by
 * playwright-core (a dev dependency of @sat/cli, resolved from there), opens the overview and
 * reads how long the first chart took to draw.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The browser the benchmark drives. */
export const CHROMIUM = '/usr/bin/chromium';

/** What {@link timeToFirstChart} measured. */
export interface FirstChart {
  /** Navigation start to `performance.mark('sat:first-chart')` (the page sets it when its first chart has drawn). */
  ms: number;
  /** Navigation start to the load event of the shell and its assets. */
  loadMs: number;
  /** Which chart drew first (`usage`, `agents` or `errors`). */
  chart: string | null;
  /** Bytes the page fetched from the server (shell, assets, API answers), as the browser counted them. */
  bytes: number;
}

/** The part of playwright-core's API this file uses (it is a dev dependency of @sat/cli, not of the root). */
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[] }): Promise<{
      newPage(options: { viewport: { width: number; height: number } }): Promise<{
        goto(url: string): Promise<unknown>;
        waitForFunction(fn: () => boolean, arg: null, options: { timeout: number }): Promise<unknown>;
        evaluate<T>(fn: () => T): Promise<T>;
      }>;
      close(): Promise<void>;
    }>;
  };
}

async function playwright(): Promise<Playwright> {
  const require = createRequire(fileURLToPath(new URL('../packages/cli/package.json', import.meta.url)));
  const mod = (await import(pathToFileURL(require.resolve('playwright-core')).href)) as Playwright & {
    default?: Playwright;
  };
  return mod.chromium ? mod : mod.default!;
}

/** The browser's performance timeline, as the page functions below read it (the root's types have no DOM). */
interface PagePerformance {
  getEntriesByName(name: string): Array<{ startTime: number; detail?: unknown }>;
  getEntriesByType(type: string): Array<{ transferSize?: number; loadEventEnd?: number }>;
}

/** Runs in the page (serialized by playwright, so it may use only what it defines). */
function measure(): FirstChart {
  const perf = (globalThis as unknown as { performance: PagePerformance }).performance;
  const mark = perf.getEntriesByName('sat:first-chart')[0]!;
  const nav = perf.getEntriesByType('navigation')[0];
  const resources = perf.getEntriesByType('resource');
  return {
    ms: mark.startTime,
    loadMs: nav?.loadEventEnd ?? 0,
    chart: typeof mark.detail === 'string' ? mark.detail : null,
    bytes: (nav?.transferSize ?? 0) + resources.reduce((n, r) => n + (r.transferSize ?? 0), 0),
  };
}

/**
 * Opens `url` (the overview, e.g. `http://127.0.0.1:8000/?days=all`) in a fresh headless Chromium
 * at 1280x800 and returns the time from navigation start to the first chart drawn. Throws when
 * /usr/bin/chromium is missing or no chart draws within `timeoutMs` (default 30 s): the range must
 * hold data, since an empty chart (its "no data" note) sets no mark.
 *
 * @example
 * const { ms } = await timeToFirstChart(`${server.url}/?days=all`);
 */
export async function timeToFirstChart(url: string, timeoutMs = 30_000): Promise<FirstChart> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `[bench] ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`,
    );
  const { chromium } = await playwright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { performance: PagePerformance }).performance.getEntriesByName(
          'sat:first-chart',
        ).length > 0,
      null,
      { timeout: timeoutMs },
    );
    return await page.evaluate(measure);
  } finally {
    await browser.close();
  }
}
