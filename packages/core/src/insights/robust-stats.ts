/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median absolute deviation of `values` from their median. */
export function medianAbsoluteDeviation(values: readonly number[], center = median(values)): number {
  return median(values.map((value) => Math.abs(value - center)));
}

/** The `p`-th percentile (0-100, nearest rank); NaN for none. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Robust baseline of a series: median, MAD and the number of points. */
export interface Baseline {
  median: number;
  mad: number;
  n: number;
}

/**
 * The modified z-score of `value` against `baseline` (Iglewicz and Hoaglin: 0.6745 (x - median) /
 * MAD). When the MAD is 0 the mean absolute deviation stands in (scaled by 0.7979); when that is 0
 * too, the score is 0 (a constant history says nothing about spread).
 */
export function modifiedZScore(value: number, baseline: Baseline, meanAbsDev: number): number {
  if (baseline.mad > 0) return (0.6745 * (value - baseline.median)) / baseline.mad;
  if (meanAbsDev > 0) return (0.7979 * (value - baseline.median)) / meanAbsDev;
  return 0;
}

/** The mean absolute deviation of `values` around `center`. */
export function meanAbsoluteDeviation(values: readonly number[], center: number): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += Math.abs(value - center);
  return sum / values.length;
}
