/**
 * A rollup delta as one upsert: sums and histogram buckets `$inc`, min / max `$min` / `$max`,
 * session sets `$addToSet`. The rollup's dimensions include the events' owner (`user`, `machine`);
 * groups are also kept per ingesting machine (`ingestedBy`, what its rebuild clears): the `_id` is
 * that machine and the dimension values.
 */
import {
  MEASURE_FAMILIES,
  type MeasureKind,
  ROLLUPS,
  type RollupEntry,
  type RollupName,
} from '@sat/core/projections';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { SatDocument } from './mongo-collections.js';
import type { Owner } from './mongo-documents.js';

const SEPARATOR = '\u0001';

/** The upsert adding one rollup group's delta to what is stored. */
export function rollupUpsert(
  rollup: RollupName,
  entry: RollupEntry,
  owner: Owner,
): AnyBulkWriteOperation<SatDocument> {
  const { dims, family } = ROLLUPS[rollup];
  const keys: Document = { ingestedBy: owner.machine };
  dims.forEach((dim, i) => {
    keys[dim] = entry.dims[i];
  });
  const inc: Document = {};
  const min: Document = {};
  const max: Document = {};
  const sets: Document = {};
  const measures = entry.measures as unknown as Record<string, unknown>;
  for (const [name, kind] of Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][]) {
    const value = measures[name];
    if (kind === 'sum') inc[name] = value as number;
    else if (kind === 'min' && value !== null) min[name] = value;
    else if (kind === 'max' && value !== null) max[name] = value;
    else if (kind === 'hist')
      for (const [bucket, count] of value as Map<number, number>) inc[`${name}.${bucket}`] = count;
    else if (kind === 'set') sets[name] = { $each: [...(value as Set<string>)] };
  }
  const update: Document = { $setOnInsert: keys, $inc: inc };
  if (Object.keys(min).length > 0) update.$min = min;
  if (Object.keys(max).length > 0) update.$max = max;
  if (Object.keys(sets).length > 0) update.$addToSet = sets;
  const id = [owner.machine, ...entry.dims].join(SEPARATOR);
  return { updateOne: { filter: { _id: id }, update, upsert: true } };
}
