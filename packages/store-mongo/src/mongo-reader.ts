/**
 * The read side: core's {@link AnalyticsReader} as aggregation pipelines over the rollups (and,
 * for a session filter, over the fact collections, by their `session` index). Histograms and
 * session sets are pushed by the pipeline and merged here.
 */
import type {
  AggregateFilter,
  AggregateRequest,
  AggregateRow,
  AnalyticsReader,
  FamilyMeasures,
  FileOperationRow,
  FingerprintRow,
  MeasureFamily,
  MeasureKind,
  SessionRow,
  SessionStartCount,
} from '@sat/core/projections';
import { MEASURE_FAMILIES } from '@sat/core/projections';
import type { Db, Document } from 'mongodb';
import { COLLECTIONS, FACT_COLLECTIONS, rollupCollection, type SatDocument } from './mongo-collections.js';
import { fileOperationFromDoc, sessionFromDoc } from './mongo-documents.js';

const known = (field: string) => ({ $cond: [{ $eq: [{ $ifNull: [field, null] }, null] }, 0, 1] });

const DURATION = {
  dur_count: { $sum: known('$durationMs') },
  dur_sum: { $sum: '$durationMs' },
  dur_min: { $min: '$durationMs' },
  dur_max: { $max: '$durationMs' },
  dur_hist: { $push: '$durationBucket' },
};

/** The accumulators of each measure over a projection's own documents. */
const FACT_MEASURES: Record<MeasureFamily, Record<string, Document>> = {
  invocations: {
    invocations: { $sum: 1 },
    completed: { $sum: { $cond: [{ $ne: ['$status', 'started'] }, 1, 0] } },
    known_success: { $sum: known('$success') },
    successes: { $sum: { $ifNull: ['$success', 0] } },
    ...DURATION,
  },
  tools: { uses: { $sum: 1 }, successes: { $sum: '$success' }, ...DURATION },
  errors: {
    errors: { $sum: 1 },
    fix_attempted: { $sum: '$fixAttempted' },
    fixed: { $sum: { $ifNull: ['$fixed', 0] } },
    first_at: { $min: '$time' },
    last_at: { $max: '$time' },
    sessions: { $addToSet: '$session' },
  },
  usage: {},
};

function rollupMeasure(name: string, kind: MeasureKind): Document {
  if (kind === 'sum') return { $sum: `$${name}` };
  if (kind === 'min') return { $min: `$${name}` };
  if (kind === 'max') return { $max: `$${name}` };
  return { $push: `$${name}` };
}

/** The `$match` of a filter, over a source's dimensions. */
export function matchOf(filter: AggregateFilter, dims: readonly string[]): Document {
  const match: Document = {};
  if (dims.includes('day') && (filter.fromDay !== null || filter.toDay !== null))
    match.day = {
      ...(filter.fromDay !== null ? { $gte: filter.fromDay } : {}),
      ...(filter.toDay !== null ? { $lte: filter.toDay } : {}),
    };
  for (const dim of ['session', 'phase', 'agent', 'user', 'machine'] as const)
    if (filter[dim] !== null && dims.includes(dim)) match[dim] = filter[dim];
  return match;
}

/** Merges pushed histograms (objects of bucket -> count, or bare buckets of facts). */
function histogram(values: unknown[] | undefined, fact: boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const value of values ?? []) {
    if (value === null || value === undefined) continue;
    if (fact) out.set(value as number, (out.get(value as number) ?? 0) + 1);
    else
      for (const [bucket, count] of Object.entries(value as Record<string, number>))
        out.set(Number(bucket), (out.get(Number(bucket)) ?? 0) + count);
  }
  return out;
}

function set(values: unknown[] | undefined, fact: boolean): Set<string> {
  const out = new Set<string>();
  for (const value of values ?? []) {
    if (fact) out.add(value as string);
    else for (const item of (value as string[] | null) ?? []) out.add(item);
  }
  return out;
}

function measuresOf(family: MeasureFamily, doc: Document, fact: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][]) {
    const value = doc[name];
    m[name] =
      kind === 'hist'
        ? histogram(value, fact)
        : kind === 'set'
          ? set(value, fact)
          : kind === 'sum'
            ? Number(value ?? 0)
            : value === null || value === undefined
              ? null
              : Number(value);
  }
  return m;
}

/** The aggregation pipeline of a request, and the collection it runs on. */
export function aggregationOf(
  family: MeasureFamily,
  request: AggregateRequest,
): { collection: string; pipeline: Document[] } {
  const { source, filter, groupBy } = request;
  const fact = source.kind === 'fact';
  const collection = fact
    ? FACT_COLLECTIONS[source.name as keyof typeof FACT_COLLECTIONS]
    : rollupCollection(source.name as Parameters<typeof rollupCollection>[0]);
  const group: Document = {
    _id: groupBy.length === 0 ? null : Object.fromEntries(groupBy.map((d) => [d, `$${d}`])),
  };
  for (const [name, kind] of Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][])
    group[name] = fact ? FACT_MEASURES[family][name]! : rollupMeasure(name, kind);
  const match = matchOf(filter, source.dims);
  // Sorted, so that the rows come in one order whatever the server's grouping does.
  const pipeline = [
    ...(Object.keys(match).length > 0 ? [{ $match: match }] : []),
    { $group: group },
    ...(groupBy.length > 0 ? [{ $sort: { _id: 1 } }] : []),
  ];
  return { collection, pipeline };
}

/** Reads analytics from the database. */
export class MongoReader implements AnalyticsReader {
  constructor(private readonly db: Db) {}

  async aggregate<F extends MeasureFamily>(family: F, request: AggregateRequest): Promise<AggregateRow<F>[]> {
    const { collection, pipeline } = aggregationOf(family, request);
    const fact = request.source.kind === 'fact';
    const docs = await this.db
      .collection<SatDocument>(collection)
      .aggregate(pipeline, { allowDiskUse: true })
      .toArray();
    const out: AggregateRow<F>[] = [];
    for (const doc of docs) {
      const m = measuresOf(family, doc, fact);
      const kinds = Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][];
      if (request.groupBy.length === 0 && kinds.every(([name, kind]) => kind !== 'sum' || m[name] === 0))
        continue;
      const dims: AggregateRow<F>['dims'] = {};
      for (const dim of request.groupBy) dims[dim] = (doc._id as Document)[dim];
      out.push({ dims, measures: m as unknown as FamilyMeasures[F] });
    }
    return out;
  }

  async sessionRow(session: string | null): Promise<SessionRow | undefined> {
    const sessions = this.db.collection<SatDocument>(COLLECTIONS.sessions);
    const doc =
      session === null
        ? (await sessions.find({}).sort({ lastEventAt: -1, session: -1 }).limit(1).toArray())[0]
        : await sessions.findOne({ _id: session });
    return doc ? sessionFromDoc(doc) : undefined;
  }

  async sessionStarts(filter: AggregateFilter): Promise<SessionStartCount[]> {
    const match = matchOf({ ...filter, session: null, fromDay: null, toDay: null }, ['user', 'machine']);
    if (filter.session !== null) match._id = filter.session;
    if (filter.fromDay !== null || filter.toDay !== null)
      match.firstDay = {
        ...(filter.fromDay !== null ? { $gte: filter.fromDay } : {}),
        ...(filter.toDay !== null ? { $lte: filter.toDay } : {}),
      };
    const docs = await this.db
      .collection<SatDocument>(COLLECTIONS.sessions)
      .aggregate([
        ...(Object.keys(match).length > 0 ? [{ $match: match }] : []),
        { $group: { _id: { user: '$user', machine: '$machine', day: '$firstDay' }, sessions: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    return docs.map((d) => ({
      user: (d._id as Document).user,
      machine: (d._id as Document).machine,
      day: (d._id as Document).day,
      sessions: d.sessions,
    }));
  }

  async fileOperations(session: string, filter: AggregateFilter): Promise<FileOperationRow[]> {
    const match = matchOf({ ...filter, session }, ['session', 'day', 'phase', 'agent']);
    const docs = await this.db
      .collection<SatDocument>(COLLECTIONS.files)
      .find(match)
      .sort({ session: 1, seq: 1 })
      .toArray();
    return docs.map(fileOperationFromDoc);
  }

  async fingerprints(fingerprints: readonly string[]): Promise<FingerprintRow[]> {
    const out: FingerprintRow[] = [];
    for (let i = 0; i < fingerprints.length; i += 500) {
      const docs = await this.db
        .collection<SatDocument>(COLLECTIONS.fingerprints)
        .find({ _id: { $in: fingerprints.slice(i, i + 500) } })
        .toArray();
      for (const d of docs)
        out.push({
          fingerprint: d._id as unknown as string,
          errorType: d.errorType,
          pattern: d.pattern,
          sample: d.sample ?? null,
          sampleAt: d.sampleAt,
        });
    }
    return out;
  }
}
