import type { MetricHistory, MetricPoint } from './metric-history.js';
import {
  type Baseline,
  meanAbsoluteDeviation,
  median,
  medianAbsoluteDeviation,
  modifiedZScore,
} from './robust-stats.js';

/** One value far from the user's own history of that metric. */
export interface Anomaly {
  /** The session it is of (per-session metrics). */
  session?: string;
  /** The day it is of (`YYYY-MM-DD`, per-day metrics). */
  day?: string;
  metric: string;
  value: number;
  /** Of the points before it (at most `window` of them). */
  baseline: Baseline;
  /** Modified z-score: 0.6745 (value - median) / MAD. */
  score: number;
  direction: 'up' | 'down';
}

/** A metric that could not be judged. */
export interface SkippedMetric {
  metric: string;
  reason: 'too little history';
}

/** Result of {@link detectAnomalies}: strongest first. */
export interface AnomalyReport {
  anomalies: Anomaly[];
  skipped: SkippedMetric[];
}

/** Options of {@link detectAnomalies}. */
export interface DetectAnomaliesOptions {
  /** Smallest |modified z-score| reported. Default 3.5. */
  threshold?: number;
  /** Fewest earlier points a value is judged against. Default 8. */
  minHistory?: number;
  /** Most recent earlier points used as the baseline. Default 60. */
  window?: number;
  /** Which side counts: `up` (spikes, slowdowns: the default) or both. */
  directions?: 'up' | 'both';
  /** Judge only these sessions (default: every session with enough history before it). */
  sessions?: readonly string[];
  /** Judge only these days (default: every day with enough history before it). */
  days?: readonly string[];
  /** Smallest relative distance from the median reported (guards near-constant series). Default 0.25. */
  minRelativeChange?: number;
}

interface Scan {
  scope: 'session' | 'day';
  only: ReadonlySet<string> | undefined;
  threshold: number;
  minHistory: number;
  window: number;
  both: boolean;
  minRelativeChange: number;
}

function judge(
  metric: string,
  series: readonly MetricPoint[],
  index: number,
  scan: Scan,
): Anomaly | undefined {
  const point = series[index]!;
  const earlier = series.slice(Math.max(0, index - scan.window), index).map((p) => p.value);
  const center = median(earlier);
  const baseline: Baseline = {
    median: center,
    mad: medianAbsoluteDeviation(earlier, center),
    n: earlier.length,
  };
  const score = modifiedZScore(point.value, baseline, meanAbsoluteDeviation(earlier, center));
  if (Math.abs(score) < scan.threshold || (!scan.both && score < 0)) return undefined;
  if (Math.abs(point.value - center) < scan.minRelativeChange * Math.abs(center)) return undefined;
  const where = scan.scope === 'session' ? { session: point.key } : { day: point.key };
  return { ...where, metric, value: point.value, baseline, score, direction: score > 0 ? 'up' : 'down' };
}

function scanSeries(series: Record<string, MetricPoint[]>, scan: Scan, out: AnomalyReport): void {
  for (const metric of Object.keys(series).sort()) {
    const points = series[metric]!;
    let judged = 0;
    for (let i = scan.minHistory; i < points.length; i++) {
      if (scan.only && !scan.only.has(points[i]!.key)) continue;
      judged++;
      const anomaly = judge(metric, points, i, scan);
      if (anomaly) out.anomalies.push(anomaly);
    }
    const wanted = scan.only ? points.some((p) => scan.only!.has(p.key)) : points.length > 0;
    if (judged === 0 && wanted)
      out.skipped.push({ metric: `${scan.scope}:${metric}`, reason: 'too little history' });
  }
}

/**
 * Finds sessions and days whose metrics are far from the user's own history: each value against
 * the median and MAD of the points before it (robust to the spikes already in it), as a modified
 * z-score. No value is judged with fewer than `minHistory` points before it; a metric with none
 * judged is listed in `skipped`. Defaults: threshold 3.5, minHistory 8, window 60, upward only.
 *
 * @example
 * const { anomalies } = detectAnomalies(await collectHistory(logsDir), { sessions: ['s42'] });
 * // [{ session: 's42', metric: 'tokens', value: 912000, baseline: { median: 180000, mad: 21000, n: 41 }, score: 23.5, direction: 'up' }]
 */
export function detectAnomalies(history: MetricHistory, options: DetectAnomaliesOptions = {}): AnomalyReport {
  const base = {
    threshold: options.threshold ?? 3.5,
    minHistory: options.minHistory ?? 8,
    window: options.window ?? 60,
    both: options.directions === 'both',
    minRelativeChange: options.minRelativeChange ?? 0.25,
  };
  const limited = options.sessions !== undefined || options.days !== undefined;
  const only = (keys: readonly string[] | undefined) =>
    keys ? new Set(keys) : limited ? new Set<string>() : undefined;
  const out: AnomalyReport = { anomalies: [], skipped: [] };
  scanSeries(history.sessions, { ...base, scope: 'session', only: only(options.sessions) }, out);
  scanSeries(history.days, { ...base, scope: 'day', only: only(options.days) }, out);
  out.anomalies.sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || a.metric.localeCompare(b.metric));
  return out;
}
