import { loadAdapter } from './adapter-loader.js';

/** What `@sat/web` exports that `sat serve` uses (declared here so it loads only when needed). */
export type WebModule = typeof import('@sat/web');

/**
 * Loads `@sat/web` (Hono and its Node server) on first use, so only `sat serve` loads it. A
 * missing package is a `UsageError` that says what to install.
 *
 * @example
 * const web = await loadWeb();
 */
export function loadWeb(): Promise<WebModule> {
  return loadAdapter('@sat/web', "the web server ('sat serve')", () => import('@sat/web'));
}
