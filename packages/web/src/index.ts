/**
 * `@sat/web`: the `sat serve` server: the Hono app with the JSON API, the token check, the SSE
 * live stream, the OTLP/HTTP receiver and the page.
 *
 * @module @sat/web
 */
export { createWebApp, type WebAppOptions } from './app.js';
export { generateToken, requestToken, tokenMatches } from './auth.js';
export { type ErrorBody, errorAnswer } from './error-body.js';
export {
  createLiveStream,
  type LiveStream,
  type LiveStreamOptions,
  type Replay,
  type StreamMessage,
} from './live-stream.js';
export { type OtlpReceiver, otlpRoutes } from './otlp-routes.js';
export { PAGE_CSP, type PageRoutesOptions, pageRoutes } from './page-routes.js';
export { intParam, type Page, paginate } from './paginate.js';
export { startWebServer, type WebServer } from './server.js';
export { filterSessions, type SessionQuery } from './session-filter.js';
export { DEFAULT_UI_DIR, readUiBundle, type UiBundle } from './ui-assets.js';
export type {
  ChartFilters,
  ChartKind,
  EventFilters,
  PageApi,
  StatsFilters,
  StatsReport,
  WebApi,
} from './web-api.js';
