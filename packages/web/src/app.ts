import { SatError } from '@sat/core';
import { type Context, Hono } from 'hono';
import { requestToken, tokenMatches } from './auth.js';
import { errorAnswer } from './error-body.js';
import type { LiveStream } from './live-stream.js';
import { type OtlpReceiver, otlpRoutes } from './otlp-routes.js';
import { pageApiRoutes } from './page-api-routes.js';
import { pageRoutes } from './page-routes.js';
import { paginate } from './paginate.js';
import { filterSessions } from './session-filter.js';
import { streamRoute } from './sse-route.js';
import type { PageApi, StatsReport, WebApi } from './web-api.js';

/** Options of {@link createWebApp}. */
export interface WebAppOptions {
  /** The queries; with the {@link PageApi} methods too, the page's charts and live sessions have data. */
  api: WebApi & Partial<PageApi>;
  /** The live stream behind `/api/stream` (absent: the route answers 404). */
  live?: LiveStream;
  /** When set, every request needs it (`Authorization: Bearer` or `?token=`). */
  token?: string;
  /** Heartbeat period of the stream. Default 15 s. */
  heartbeatMs?: number;
  /** The OTLP receiver behind `POST /v1/logs` and `/v1/metrics` (absent: those routes answer 404). */
  otlp?: OtlpReceiver;
  /** The folder of the page's built bundle. Default: `packages/web/dist/ui`. */
  uiDir?: string;
}

const REPORTS = new Set<StatsReport>(['agents', 'tools', 'errors', 'cost', 'session']);

function statsFilters(c: Context) {
  const q = c.req.query();
  return { days: q.days, session: q.session, phase: q.phase, agent: q.agent };
}

function apiRoutes(app: Hono, api: WebApi): void {
  app.get('/api/sessions', async (c) => {
    const q = c.req.query();
    let rows = filterSessions(await api.sessions(), q);
    if (q.phase) {
      const phases = await Promise.all(rows.map((row) => api.sessionPhase(String(row.session))));
      rows = rows.filter((_, i) => phases[i] === q.phase);
    }
    return c.json(paginate(rows, q));
  });
  app.get('/api/sessions/:id', async (c) => c.json(await api.show(c.req.param('id'))));
  app.get('/api/sessions/:id/events', async (c) => {
    const q = c.req.query();
    const events = await api.events(c.req.param('id'), { type: q.type, agent: q.agent });
    return c.json(paginate(events, q));
  });
  app.get('/api/sessions/:id/snapshots', async (c) => c.json(await api.snapshots(c.req.param('id'))));
  app.get('/api/sessions/:id/handoff', async (c) => c.json(await api.handoff(c.req.param('id'))));
  app.post('/api/sessions/:id/handoff', async (c) => c.json(await api.createHandoff(c.req.param('id'))));
  app.get('/api/stats/:report', async (c) => {
    const report = c.req.param('report') as StatsReport;
    if (!REPORTS.has(report))
      throw new SatError(
        'NOT_FOUND',
        `[web] no report '${report}': the reports are ${[...REPORTS].join(', ')}`,
      );
    return c.json(await api.stats(report, statsFilters(c)));
  });
  app.get('/api/alerts', async (c) =>
    c.json(await api.alerts({ days: c.req.query('days'), session: c.req.query('session') })),
  );
  app.get('/api/backups', async (c) => c.json(await api.backups()));
}

/**
 * The Hono app of `sat serve`: the token check on every request, the JSON API under `/api`, the
 * live stream, the page (its shell for every other GET, its hashed assets), and JSON errors `{ error: { code, message } }`.
 *
 * @example
 * const app = createWebApp({ api, token: 'secret' });
 * await app.request('/api/sessions', { headers: { authorization: 'Bearer secret' } });
 */
export function createWebApp(options: WebAppOptions): Hono {
  const app = new Hono();
  const { token, live } = options;
  if (token !== undefined)
    app.use('*', async (c, next) => {
      if (tokenMatches(token, requestToken(c.req.header('authorization'), c.req.query('token'))))
        return next();
      return c.json(
        {
          error: {
            code: 'USAGE',
            message:
              '[web] missing or wrong token: send Authorization: Bearer <token> or ?token=<token> (sat serve printed it)',
          },
        },
        401,
      );
    });
  apiRoutes(app, options.api);
  const { chart, status } = options.api;
  if (chart && status) pageApiRoutes(app, { chart, status });
  if (options.otlp) otlpRoutes(app, options.otlp);
  app.get('/api/stream', (c) => {
    if (!live) throw new SatError('NOT_FOUND', '[web] this server has no live stream');
    return streamRoute(c, live, options.heartbeatMs);
  });
  pageRoutes(app, {
    ...(token !== undefined ? { token } : {}),
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
  });
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'NOT_FOUND',
          message: `[web] no route ${c.req.method} ${c.req.path} (see docs/web.md)`,
        },
      },
      404,
    ),
  );
  app.onError((error, c) => {
    const answer = errorAnswer(error);
    return c.json(answer.body, answer.status);
  });
  return app;
}
