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

type PlaywrightCore = typeof import('playwright-core');

async function playwright(): Promise<PlaywrightCore> {
  const require = createRequire(fileURLToPath(new URL('../packages/cli/package.json', import.meta.url)));
  const mod = (await import(pathToFileURL(require.resolve('playwright-core')).href)) as PlaywrightCore & {
    default?: PlaywrightCore;
  };
  return mod.chromium ? mod : mod.default!;
}

/**
 * Opens `url` (the overview, e.g. `http://127.0.0.1:8000/?days=all`) in a fresh headless Chromium
 * at 1280x800 and returns the time from navigation start to the first chart drawn. Throws when
 * /usr/bin/chromium is missing or no chart draws within `timeoutMs` (default 30 s).
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
    await page.waitForFunction(() => performance.getEntriesByName('sat:first-chart').length > 0, null, {
      timeout: timeoutMs,
    });
    return await page.evaluate(() => {
      const mark = performance.getEntriesByName('sat:first-chart')[0] as PerformanceMark;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return {
        ms: mark.startTime,
        loadMs: nav ? nav.loadEventEnd : 0,
        chart: typeof mark.detail === 'string' ? mark.detail : null,
        bytes: (nav?.transferSize ?? 0) + resources.reduce((n, r) => n + r.transferSize, 0),
      };
    });
  } finally {
    await browser.close();
  }
}
