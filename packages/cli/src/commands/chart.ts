import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnalyticsQuery } from '@sat/core';
import type { CliStore } from '../analytics.js';
import { countsByType, errorsByAgent } from '../charts/error-cells.js';
import type { ErrorCell } from '../charts/error-heatmap-spec.js';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import type { chartCommand } from '../registry.js';
import { staleRangeNote } from '../stale-range.js';

const DAY_MS = 86_400_000;
/** The most days a `--by day` heatmap shows with `--days all`. */
const MAX_DAYS = 366;

function parseDays(value: string | undefined): number | 'all' | undefined {
  if (value === undefined) return undefined;
  if (value === 'all') return 'all';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--days must be a whole number >= 1 or 'all', not '${value}'`);
  return n;
}

/** Errors per day x type: the last k days minus the last k-1 days is day k. */
async function errorsByDay(
  store: CliStore,
  query: AnalyticsQuery,
  range: number | 'all',
  now: number,
): Promise<ErrorCell[]> {
  let days = range;
  if (days === 'all') {
    const first = (await store.errorPatterns({ ...query, days: 'all' })).totals.firstSeen;
    if (!first) return [];
    days = Math.min(MAX_DAYS, Math.floor(now / DAY_MS) - Math.floor(Date.parse(first) / DAY_MS) + 1);
  }
  const cells: ErrorCell[] = [];
  let newer = new Map<string, number>();
  for (let k = 1; k <= days; k++) {
    const upTo = countsByType(await store.errorPatterns({ ...query, days: k }));
    const day = new Date((Math.floor(now / DAY_MS) - (k - 1)) * DAY_MS).toISOString().slice(0, 10);
    for (const [errorType, count] of upTo) {
      const n = count - (newer.get(errorType) ?? 0);
      if (n > 0) cells.push({ key: day, errorType, count: n });
    }
    newer = upTo;
  }
  return cells;
}

/** `sat chart agents|errors --out file.svg|png`: renders an analytics chart. */
export const run: HandlerOf<typeof chartCommand> = async (ctx, args, options) => {
  const kind = args[0];
  if (kind !== 'agents' && kind !== 'errors')
    throw new UsageError(`unknown chart '${kind ?? ''}': expected 'agents' or 'errors'`);
  if (!options.out) throw new UsageError('--out <file.svg|file.png> is required');
  const { chartFormat, renderChart } = await import('../charts/render-chart.js');
  const format = chartFormat(options.out);
  if (!format)
    throw new UsageError(
      `--out must end in .svg or .png (got '${options.out}'): the extension picks the format`,
    );
  const by = options.by ?? 'agent';
  if (by !== 'agent' && by !== 'day') throw new UsageError(`--by must be 'agent' or 'day', not '${by}'`);
  const query: AnalyticsQuery = {};
  const days = parseDays(options.days);
  if (days !== undefined) query.days = days;
  if (options.phase !== undefined) query.phase = options.phase;
  const now = Date.now();
  query.now = new Date(now).toISOString();
  const today = query.now.slice(0, 10);

  const { openStore } = await import('../analytics.js');
  const store = await openStore(ctx);
  let spec: object;
  try {
    await store.ingestLog();
    if (kind === 'agents') {
      const { agentPerformanceSpec } = await import('../charts/agent-performance-spec.js');
      spec = agentPerformanceSpec(await store.agentPerformance(query), today);
    } else {
      const { errorHeatmapSpec } = await import('../charts/error-heatmap-spec.js');
      const filters = (await store.errorPatterns(query)).filters;
      const cells =
        by === 'agent'
          ? await errorsByAgent(store, query)
          : await errorsByDay(store, query, filters.days, now);
      spec = errorHeatmapSpec({ by, filters, cells }, today);
    }
  } finally {
    await store.close();
  }
  const stale = await staleRangeNote(ctx.config().paths.logs, query.days, now);
  if (stale !== undefined) ctx.note(`sat: ${stale} (the chart shows no data)`);
  const rendered = await renderChart(spec, format);
  const path = resolve(options.out);
  writeFileSync(path, rendered);
  ctx.print(`wrote ${path} (${format.toUpperCase()}, ${Buffer.byteLength(rendered)} bytes)`);
  return 0;
};
