/**
 * Mergeable duration histograms: how analytics keep p50 / p95 answerable from rollups. A
 * histogram counts durations in log-scale buckets, 8 per doubling (each bucket is 9% wide), so
 * a percentile read from it is within about 4.5% of the exact value; it is exact when the values
 * in the percentile's bucket are all equal (one call, say), because the estimate is clamped to
 * the observed minimum and maximum.
 */

/** Bucket index to count. */
export type Histogram = Map<number, number>;

/** Buckets per doubling of the duration. */
export const HISTOGRAM_BUCKETS_PER_DOUBLING = 8;

/** Largest bucket index (durations beyond ~2^62 ms all fall in it). */
export const HISTOGRAM_MAX_BUCKET = 500;

/** Largest relative error of a percentile read from a histogram (half a bucket's width). */
export const HISTOGRAM_RELATIVE_ERROR = 2 ** (1 / (2 * HISTOGRAM_BUCKETS_PER_DOUBLING)) - 1;

/**
 * The bucket of a duration in ms: 0 for [0, 1), then 1 + floor(8 x log2(ms)).
 *
 * @example
 * durationBucket(1000) // 80
 */
export function durationBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(HISTOGRAM_MAX_BUCKET, 1 + Math.floor(Math.log2(ms) * HISTOGRAM_BUCKETS_PER_DOUBLING));
}

/** The value a bucket stands for: the geometric middle of its range (0.5 for bucket 0). */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0.5;
  return 2 ** ((bucket - 0.5) / HISTOGRAM_BUCKETS_PER_DOUBLING);
}

/** Adds `count` values of `bucket` to `into`. */
export function addToHistogram(into: Histogram, bucket: number, count = 1): Histogram {
  into.set(bucket, (into.get(bucket) ?? 0) + count);
  return into;
}

/** Adds every bucket of `from` to `into` and returns `into`. */
export function mergeHistograms(into: Histogram, from: Histogram): Histogram {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
  return into;
}

/**
 * The `p`-th percentile (nearest rank, 0-100) of the durations counted in `histogram`, clamped
 * to `[min, max]` when they are known; null for an empty histogram.
 *
 * @example
 * histogramPercentile(new Map([[80, 3]]), 50, 1000, 1000) // 1000
 */
export function histogramPercentile(
  histogram: Histogram,
  p: number,
  min?: number | null,
  max?: number | null,
): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  let value = bucketValue(buckets[buckets.length - 1]!);
  for (const bucket of buckets) {
    seen += histogram.get(bucket)!;
    if (seen >= rank) {
      value = bucketValue(bucket);
      break;
    }
  }
  if (min !== undefined && min !== null && value < min) value = min;
  if (max !== undefined && max !== null && value > max) value = max;
  return value;
}
