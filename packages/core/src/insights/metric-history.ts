import type { PriceTable } from '../pricing/prices.js';
import { readSessionDigests } from './digest-cache.js';
import { digestTotals } from './digest-cost.js';
import { percentileOf } from './robust-stats.js';
import type { SessionDigest } from './session-digest.js';

/** One value of a metric: of a session (`key` its id) or of a day (`key` its `YYYY-MM-DD`). */
export interface MetricPoint {
  key: string;
  /** Epoch ms (the session's start, or the day's midnight UTC): the order of the series. */
  at: number;
  value: number;
}

/** Metric series, oldest first, per session and per day. */
export interface MetricHistory {
  sessions: Record<string, MetricPoint[]>;
  days: Record<string, MetricPoint[]>;
}

/** Options of {@link collectHistory}. */
export interface CollectHistoryOptions {
  /** Prices for `cost`. Default the bundled table. */
  prices?: PriceTable;
  /** Fewest calls of a tool in a session (or runs of an agent) for its p50/p95 to be a point. Default 5. */
  minCalls?: number;
}

function push(series: Record<string, MetricPoint[]>, metric: string, point: MetricPoint): void {
  const points = series[metric] ?? [];
  series[metric] = points;
  points.push(point);
}

function durationMetrics(
  prefix: string,
  rows: ReadonlyArray<{ name: string; durations: number[] }>,
  minCalls: number,
): Array<[string, number]> {
  const byName = new Map<string, number[]>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), ...row.durations]);
  const out: Array<[string, number]> = [];
  for (const [name, durations] of byName) {
    if (durations.length < minCalls) continue;
    out.push(
      [`${prefix}:${name}:p50`, percentileOf(durations, 50)],
      [`${prefix}:${name}:p95`, percentileOf(durations, 95)],
    );
  }
  return out;
}

/**
 * The per-session metrics of one digest, as `[name, value]` pairs (see {@link collectHistory} for
 * the names). `minCalls` defaults to 5.
 *
 * @example
 * new Map(sessionMetrics(digest)).get('errorRate'); // 0.012
 */
export function sessionMetrics(
  digest: SessionDigest,
  options: CollectHistoryOptions = {},
): Array<[string, number]> {
  const minCalls = options.minCalls ?? 5;
  const { tokens, cost } = digestTotals(digest, options.prices);
  const out: Array<[string, number]> = [
    ['tokens', tokens],
    ['cost', cost],
    ['errorRate', digest.errors.length / Math.max(1, digest.toolCalls)],
    ['durationMs', digest.endedAt - digest.startedAt],
  ];
  const peak = digest.contextPeak;
  if (peak.tokens > 0 && peak.at > digest.startedAt)
    out.push(['contextTokensPerMinute', peak.tokens / ((peak.at - digest.startedAt) / 60_000)]);
  out.push(
    ...durationMetrics(
      'tool',
      digest.tools.map((t) => ({ name: t.tool, durations: t.durations })),
      minCalls,
    ),
  );
  out.push(
    ...durationMetrics(
      'agent',
      digest.agents.map((a) => ({ name: a.agent, durations: a.durations })),
      minCalls,
    ),
  );
  return out;
}

function dayMetrics(
  digests: readonly SessionDigest[],
  options: CollectHistoryOptions,
): Map<string, Map<string, number>> {
  const days = new Map<string, Map<string, number>>();
  const calls = new Map<string, number>();
  for (const digest of digests) {
    const day = days.get(digest.day) ?? new Map<string, number>();
    days.set(digest.day, day);
    const { tokens, cost } = digestTotals(digest, options.prices);
    day.set('tokens', (day.get('tokens') ?? 0) + tokens);
    day.set('cost', (day.get('cost') ?? 0) + cost);
    day.set('errors', (day.get('errors') ?? 0) + digest.errors.length);
    calls.set(digest.day, (calls.get(digest.day) ?? 0) + digest.toolCalls);
  }
  for (const [key, day] of days)
    day.set('errorRate', (day.get('errors') ?? 0) / Math.max(1, calls.get(key) ?? 0));
  return days;
}

/**
 * Builds the metric series {@link detectAnomalies} reads, from a log folder or from digests. Per
 * session: `tokens`, `cost` (USD), `errorRate` (errors per tool call), `durationMs` (first to last
 * event), `contextTokensPerMinute` (peak context over the time to reach it), and `tool:<name>:p50|p95`
 * and `agent:<name>:p50|p95` durations (ms; where a session has at least `minCalls` of them). Per day:
 * `tokens`, `cost`, `errors`, `errorRate`.
 *
 * @example
 * const history = await collectHistory('.claude/logs');
 * history.sessions.tokens.at(-1); // { key: '<session id>', at: 1767225600000, value: 181234 }
 */
export async function collectHistory(
  source: string | readonly SessionDigest[],
  options: CollectHistoryOptions = {},
): Promise<MetricHistory> {
  const digests =
    typeof source === 'string'
      ? await readSessionDigests(source)
      : [...source].sort((a, b) => a.startedAt - b.startedAt);
  const history: MetricHistory = { sessions: {}, days: {} };
  for (const digest of digests)
    for (const [metric, value] of sessionMetrics(digest, options))
      push(history.sessions, metric, { key: digest.session, at: digest.startedAt, value });
  const days = [...dayMetrics(digests, options)].sort(([a], [b]) => a.localeCompare(b));
  for (const [day, metrics] of days)
    for (const [metric, value] of metrics)
      push(history.days, metric, { key: day, at: Date.parse(`${day}T00:00:00Z`), value });
  return history;
}
