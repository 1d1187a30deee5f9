import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AgentPerformance, type AnalyticsQuery, type ErrorPatterns, listSessions } from '@sat/core';
import type { CliStore } from '../analytics.js';
import { countsByType, errorsByAgent } from '../charts/error-cells.js';
import type { ErrorCell } from '../charts/error-heatmap-spec.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
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

/** The charts of `sat chart`. */
export type ChartKind = 'agents' | 'errors' | 'usage';

/** One day of the usage chart: tokens and USD of the API responses of that UTC day. */
export interface UsageDay {
  day: string;
  tokens: number;
  cost: number;
}

/** What `sat chart <kind> --json` prints: the rows a chart draws and the range they cover. */
export type ChartData = { today: string; filters: ErrorPatterns['filters'] } & (
  | { chart: 'agents'; rows: AgentPerformance['agents'] }
  | { chart: 'errors'; by: 'agent' | 'day'; rows: ErrorCell[] }
  | { chart: 'usage'; rows: UsageDay[] }
);

/** The UTC days (days since 1970) on which some session of the log had events. */
async function activeDays(logsDir: string): Promise<Set<number>> {
  const days = new Set<number>();
  for (const s of await listSessions(logsDir)) {
    if (!s.start) continue;
    const first = Math.floor(Date.parse(s.start) / DAY_MS);
    const last = Math.floor(Date.parse(s.lastEventAt ?? s.start) / DAY_MS);
    for (let d = first; d <= last && d - first < MAX_DAYS; d++) days.add(d);
  }
  return days;
}

/** Tokens and cost per day, oldest first: one one-day query per day on which a session had events. */
async function usageByDay(
  logsDir: string,
  store: CliStore,
  query: AnalyticsQuery,
  range: number | 'all',
  now: number,
): Promise<UsageDay[]> {
  const active = await activeDays(logsDir);
  const today = Math.floor(now / DAY_MS);
  const count = range === 'all' ? Math.min(MAX_DAYS, today - Math.min(today, ...active) + 1) : range;
  const out: UsageDay[] = [];
  for (let d = today - count + 1; d <= today; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    if (!active.has(d)) {
      out.push({ day, tokens: 0, cost: 0 });
      continue;
    }
    const one = await store.costAnalysis({ ...query, days: 1, now: d * DAY_MS + DAY_MS / 2 });
    out.push({ day, tokens: one.tokens.total, cost: one.pricedCost });
  }
  return out;
}

/**
 * The data of a chart (what `sat chart <kind> --json` prints and `GET /api/charts/<kind>` answers):
 * agent performance rows, error cells by agent or day, or tokens and cost per day. `days` defaults
 * to 30.
 *
 * @example
 * const data = await chartData(ctx, 'usage', { days: '14' });
 */
export async function chartData(
  ctx: CliContext,
  kind: string | undefined,
  options: { days?: string; phase?: string; by?: string; now?: number },
): Promise<ChartData> {
  if (kind !== 'agents' && kind !== 'errors' && kind !== 'usage')
    throw new UsageError(`unknown chart '${kind ?? ''}': expected 'agents', 'errors' or 'usage'`);
  const by = options.by ?? 'agent';
  if (by !== 'agent' && by !== 'day') throw new UsageError(`--by must be 'agent' or 'day', not '${by}'`);
  const query: AnalyticsQuery = {};
  const days = parseDays(options.days);
  if (days !== undefined) query.days = days;
  if (options.phase !== undefined) query.phase = options.phase;
  const now = options.now ?? Date.now();
  query.now = new Date(now).toISOString();
  const today = query.now.slice(0, 10);
  const { openStore } = await import('../analytics.js');
  const store = await openStore(ctx);
  try {
    await store.ingestLog();
    const filters = (await store.errorPatterns(query)).filters;
    if (kind === 'agents')
      return { chart: kind, today, filters, rows: (await store.agentPerformance(query)).agents };
    if (kind === 'usage')
      return {
        chart: kind,
        today,
        filters,
        rows: await usageByDay(ctx.config().paths.logs, store, query, filters.days, now),
      };
    const rows =
      by === 'agent' ? await errorsByAgent(store, query) : await errorsByDay(store, query, filters.days, now);
    return { chart: kind, by, today, filters, rows };
  } finally {
    await store.close();
  }
}

/** The Vega-Lite spec of a chart's data. */
async function chartSpec(data: ChartData): Promise<object> {
  if (data.chart === 'agents') {
    const { agentPerformanceSpec } = await import('../charts/agent-performance-spec.js');
    return agentPerformanceSpec({ filters: data.filters, agents: data.rows } as AgentPerformance, data.today);
  }
  if (data.chart === 'usage') {
    const { usageSeriesSpec } = await import('../charts/usage-series-spec.js');
    const points = data.rows.map((d) => ({ key: d.day, tokens: d.tokens, costUsd: d.cost }));
    return usageSeriesSpec('Tokens and cost per day', `up to ${data.today}`, points);
  }
  const { errorHeatmapSpec } = await import('../charts/error-heatmap-spec.js');
  return errorHeatmapSpec({ by: data.by, filters: data.filters, cells: data.rows }, data.today);
}

/** `sat chart agents|errors|usage --out file.svg|png` (or `--json`): renders an analytics chart. */
export const run: HandlerOf<typeof chartCommand> = async (ctx, args, options) => {
  const now = Date.now();
  if (!options.json && !options.out)
    throw new UsageError('--out <file.svg|file.png> (or --json) is required');
  const { chartFormat, renderChart } = await import('../charts/render-chart.js');
  const format = options.out ? chartFormat(options.out) : undefined;
  if (options.out && !format)
    throw new UsageError(
      `--out must end in .svg or .png (got '${options.out}'): the extension picks the format`,
    );
  const data = await chartData(ctx, args[0], { ...options, now });
  const stale = await staleRangeNote(ctx.config().paths.logs, parseDays(options.days), now);
  if (stale !== undefined) ctx.note(`sat: ${stale} (the chart shows no data)`);
  if (options.json) printJson(ctx, data);
  if (!options.out || !format) return 0;
  const rendered = await renderChart(await chartSpec(data), format);
  const path = resolve(options.out);
  writeFileSync(path, rendered);
  if (!options.json)
    ctx.print(`wrote ${path} (${format.toUpperCase()}, ${Buffer.byteLength(rendered)} bytes)`);
  return 0;
};
