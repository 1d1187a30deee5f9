/**
 * How histograms and session sets are kept in SQLite: as small BLOBs, merged by SQL functions
 * registered on the connection (`sat_hist_merge`, `sat_set_merge` for upserts; the aggregates
 * `sat_hist`, `sat_hist_of`, `sat_set`, `sat_set_of` for queries).
 *
 * - histogram: pairs of (bucket u16, count u32), little-endian, buckets ascending;
 * - set: distinct u32 numbers (interned session ids), ascending.
 */
import type { Histogram } from '@sat/core/projections';
import type { SqliteDatabase } from './sqlite-database.js';

const PAIR = 6;

/** Encodes a histogram (empty: null). */
export function encodeHistogram(histogram: Histogram): Buffer | null {
  if (histogram.size === 0) return null;
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  const out = Buffer.allocUnsafe(buckets.length * PAIR);
  let at = 0;
  for (const bucket of buckets) {
    out.writeUInt16LE(bucket, at);
    out.writeUInt32LE(histogram.get(bucket)!, at + 2);
    at += PAIR;
  }
  return out;
}

/** Adds an encoded histogram into `into` (null / empty adds nothing). */
export function addEncodedHistogram(into: Histogram, blob: Uint8Array | null | undefined): Histogram {
  if (!blob) return into;
  const buf = Buffer.isBuffer(blob) ? blob : Buffer.from(blob);
  for (let at = 0; at + PAIR <= buf.length; at += PAIR) {
    const bucket = buf.readUInt16LE(at);
    into.set(bucket, (into.get(bucket) ?? 0) + buf.readUInt32LE(at + 2));
  }
  return into;
}

/** Decodes a histogram. */
export function decodeHistogram(blob: Uint8Array | null | undefined): Histogram {
  return addEncodedHistogram(new Map(), blob);
}

/** Encodes a set of numbers (empty: null). */
export function encodeSet(values: Iterable<number>): Buffer | null {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const out = Buffer.allocUnsafe(sorted.length * 4);
  for (let i = 0; i < sorted.length; i++) out.writeUInt32LE(sorted[i]!, i * 4);
  return out;
}

/** Adds the numbers of an encoded set into `into`. */
export function addEncodedSet(into: Set<number>, blob: Uint8Array | null | undefined): Set<number> {
  if (!blob) return into;
  const buf = Buffer.isBuffer(blob) ? blob : Buffer.from(blob);
  for (let at = 0; at + 4 <= buf.length; at += 4) into.add(buf.readUInt32LE(at));
  return into;
}

/** Decodes a set. */
export function decodeSet(blob: Uint8Array | null | undefined): Set<number> {
  return addEncodedSet(new Set(), blob);
}

type Blob = Uint8Array | null;

/** Registers the SQL functions above on a connection. */
export function registerCodecFunctions(db: SqliteDatabase): void {
  const options = { deterministic: true };
  db.function('sat_hist_merge', options, (a: Blob, b: Blob) => {
    if (!a) return b;
    if (!b) return a;
    return encodeHistogram(addEncodedHistogram(decodeHistogram(a), b));
  });
  db.function('sat_set_merge', options, (a: Blob, b: Blob) => {
    if (!a) return b;
    if (!b) return a;
    return encodeSet(addEncodedSet(decodeSet(a), b));
  });
  db.aggregate('sat_hist', {
    ...options,
    start: () => new Map<number, number>(),
    step: (h: Histogram, blob: Blob) => {
      addEncodedHistogram(h, blob);
    },
    result: (h: Histogram) => encodeHistogram(h),
  });
  db.aggregate('sat_hist_of', {
    ...options,
    start: () => new Map<number, number>(),
    step: (h: Histogram, bucket: number | null) => {
      if (bucket !== null) h.set(bucket, (h.get(bucket) ?? 0) + 1);
    },
    result: (h: Histogram) => encodeHistogram(h),
  });
  db.aggregate('sat_set', {
    ...options,
    start: () => new Set<number>(),
    step: (s: Set<number>, blob: Blob) => {
      addEncodedSet(s, blob);
    },
    result: (s: Set<number>) => encodeSet(s),
  });
  db.aggregate('sat_set_of', {
    ...options,
    start: () => new Set<number>(),
    step: (s: Set<number>, value: number | null) => {
      if (value !== null) s.add(value);
    },
    result: (s: Set<number>) => encodeSet(s),
  });
}
