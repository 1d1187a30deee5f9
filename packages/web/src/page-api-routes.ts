import { SatError } from '@sat/core';
import type { Hono } from 'hono';
import type { ChartKind, PageApi } from './web-api.js';

const CHARTS = new Set<ChartKind>(['agents', 'errors', 'usage']);

/**
 * `GET /api/charts/:kind` (`sat chart <kind> --json`, with `days`, `phase`, `by`) and
 * `GET /api/sessions/:id/status` (`sat status <id> --json`), the data the page draws.
 *
 * @example
 * pageApiRoutes(app, api);
 */
export function pageApiRoutes(app: Hono, api: PageApi): void {
  app.get('/api/charts/:kind', async (c) => {
    const kind = c.req.param('kind') as ChartKind;
    if (!CHARTS.has(kind))
      throw new SatError('NOT_FOUND', `[web] no chart '${kind}': the charts are ${[...CHARTS].join(', ')}`);
    const q = c.req.query();
    return c.json(await api.chart(kind, { days: q.days, phase: q.phase, by: q.by }));
  });
  app.get('/api/sessions/:id/status', async (c) => c.json(await api.status(c.req.param('id'))));
}
