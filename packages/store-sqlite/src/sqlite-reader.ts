/**
 * The read side: core's {@link AnalyticsReader} on SQLite, with kysely. Aggregations run in SQL
 * (sums, min / max, and the histogram and session-set aggregates of `sqlite-codec`); interned
 * ids are turned back into strings here.
 */
import type {
  AggregateFilter,
  AggregateRequest,
  AggregateRow,
  AnalyticsReader,
  Dimension,
  FamilyMeasures,
  FileOperationRow,
  FingerprintRow,
  MeasureFamily,
  MeasureKind,
  SessionRow,
  SessionStartCount,
} from '@sat/core/projections';
import { MEASURE_FAMILIES } from '@sat/core/projections';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { decodeHistogram, decodeSet } from './sqlite-codec.js';
import type { NameTable } from './sqlite-names.js';
import type { SatSqliteSchema } from './sqlite-schema.js';
import { rollupTable } from './sqlite-statements.js';

/** SQL of the duration measures, over rows with `duration_ms` and `duration_bucket`. */
const DURATION_MEASURES = {
  dur_count: 'COUNT(duration_ms)',
  dur_sum: 'coalesce(SUM(duration_ms), 0)',
  dur_min: 'MIN(duration_ms)',
  dur_max: 'MAX(duration_ms)',
  dur_hist: 'sat_hist_of(duration_bucket)',
} as const;

/** SQL of each measure over a projection's own rows. */
const FACT_MEASURES: Record<MeasureFamily, Record<string, string>> = {
  invocations: {
    invocations: 'COUNT(*)',
    completed: `coalesce(SUM(status <> 'started'), 0)`,
    known_success: 'COUNT(success)',
    successes: 'coalesce(SUM(success), 0)',
    ...DURATION_MEASURES,
  },
  tools: {
    uses: 'COUNT(*)',
    successes: 'coalesce(SUM(success), 0)',
    ...DURATION_MEASURES,
  },
  errors: {
    errors: 'COUNT(*)',
    fix_attempted: 'coalesce(SUM(fix_attempted), 0)',
    fixed: 'coalesce(SUM(fixed), 0)',
    first_at: 'MIN(time)',
    last_at: 'MAX(time)',
    sessions: 'sat_set_of(session)',
  },
  usage: {},
};

function rollupMeasure(column: string, kind: MeasureKind): string {
  const c = `"${column}"`;
  switch (kind) {
    case 'sum':
      return `coalesce(SUM(${c}), 0)`;
    case 'min':
      return `MIN(${c})`;
    case 'max':
      return `MAX(${c})`;
    case 'hist':
      return `sat_hist(${c})`;
    case 'set':
      return `sat_set(${c})`;
  }
}

type RawRow = Record<string, unknown>;

/** Reads analytics from the database. */
export class SqliteReader implements AnalyticsReader {
  constructor(
    private readonly kysely: Kysely<SatSqliteSchema>,
    private readonly names: NameTable,
  ) {}

  /** Conditions for the filters; undefined when a filter names something never stored. */
  private conditions(filter: AggregateFilter, dims: readonly Dimension[]): RawBuilder<unknown>[] | undefined {
    const where: RawBuilder<unknown>[] = [];
    if (filter.fromDay !== null && dims.includes('day')) where.push(sql`day >= ${filter.fromDay}`);
    if (filter.toDay !== null && dims.includes('day')) where.push(sql`day <= ${filter.toDay}`);
    for (const dim of ['session', 'phase', 'agent', 'user', 'machine'] as const) {
      const value = filter[dim];
      if (value === null || !dims.includes(dim)) continue;
      const id = this.names.find(value);
      if (id === undefined) return undefined;
      where.push(sql`${sql.ref(dim)} = ${id}`);
    }
    return where;
  }

  async aggregate<F extends MeasureFamily>(family: F, request: AggregateRequest): Promise<AggregateRow<F>[]> {
    const { source, filter, groupBy } = request;
    const where = this.conditions(filter, source.dims);
    if (!where) return [];
    const kinds = Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][];
    const measures = kinds.map(([name, kind]) =>
      source.kind === 'rollup'
        ? `${rollupMeasure(name, kind)} AS "${name}"`
        : `${FACT_MEASURES[family][name]} AS "${name}"`,
    );
    const table =
      source.kind === 'rollup' ? rollupTable(source.name as Parameters<typeof rollupTable>[0]) : source.name;
    const query = sql<RawRow>`SELECT ${sql.raw([...groupBy.map((d) => `"${d}"`), ...measures].join(', '))}
      FROM ${sql.table(table)}
      ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
      ${groupBy.length > 0 ? sql.raw(`GROUP BY ${groupBy.map((d) => `"${d}"`).join(', ')}`) : sql``}`;
    const { rows } = await query.execute(this.kysely);
    const out: AggregateRow<F>[] = [];
    for (const row of rows) {
      const dims: AggregateRow<F>['dims'] = {};
      for (const dim of groupBy) {
        const value = row[dim] as number;
        dims[dim] = dim === 'day' ? value : this.names.value(value);
      }
      const m: Record<string, unknown> = {};
      for (const [name, kind] of kinds) {
        const value = row[name];
        m[name] =
          kind === 'hist'
            ? decodeHistogram(value as Buffer | null)
            : kind === 'set'
              ? decodeSet(value as Buffer | null)
              : kind === 'sum'
                ? Number(value ?? 0)
                : value === null || value === undefined
                  ? null
                  : Number(value);
      }
      if (groupBy.length === 0 && kinds.every(([name, kind]) => kind !== 'sum' || m[name] === 0)) continue;
      out.push({ dims, measures: m as unknown as FamilyMeasures[F] });
    }
    return out;
  }

  async sessionRow(session: string | null): Promise<SessionRow | undefined> {
    let query = this.kysely.selectFrom('sessions').selectAll();
    if (session === null)
      query = query.orderBy('last_event_at', 'desc').orderBy('session_id', 'desc').limit(1);
    else {
      const id = this.names.find(session);
      if (id === undefined) return undefined;
      query = query.where('session', '=', id);
    }
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    return {
      session: row.session_id,
      firstEventAt: row.first_event_at,
      lastEventAt: row.last_event_at,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      endReason: row.end_reason,
      phase: row.phase,
      phases: JSON.parse(row.phases) as string[],
      client: row.client,
      model: row.model,
      cwd: row.cwd,
      gitBranch: row.git_branch,
      events: row.events,
      lastSeq: row.last_seq,
      eventCounts: JSON.parse(row.event_counts) as Record<string, number>,
      toolFailures: row.tool_failures,
      errorsFixed: row.errors_fixed,
      validationsFailed: row.validations_failed,
      user: this.names.value(row.user),
      machine: this.names.value(row.machine),
    };
  }

  async sessionStarts(filter: AggregateFilter): Promise<SessionStartCount[]> {
    const where = this.conditions(filter, ['session', 'user', 'machine']);
    if (!where) return [];
    if (filter.fromDay !== null) where.push(sql`first_day >= ${filter.fromDay}`);
    if (filter.toDay !== null) where.push(sql`first_day <= ${filter.toDay}`);
    const { rows } = await sql<{ user: number; machine: number; day: number; sessions: number }>`
      SELECT user, machine, first_day AS day, COUNT(*) AS sessions FROM sessions
      ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
      GROUP BY user, machine, first_day`.execute(this.kysely);
    return rows.map((r) => ({
      user: this.names.value(r.user),
      machine: this.names.value(r.machine),
      day: r.day,
      sessions: r.sessions,
    }));
  }

  async fileOperations(session: string, filter: AggregateFilter): Promise<FileOperationRow[]> {
    const where = this.conditions({ ...filter, session }, ['session', 'day', 'phase', 'agent']);
    if (!where) return [];
    const { rows } = await sql<{
      seq: number;
      time: number;
      day: number;
      phase: number;
      agent: number;
      path: string;
      operation: FileOperationRow['operation'];
      from_path: string | null;
      git_hash: string | null;
      bytes: number | null;
      user: number;
      machine: number;
    }>`SELECT seq, time, day, phase, agent, path, operation, from_path, git_hash, bytes, user, machine
       FROM file_operations
       WHERE ${sql.join(where, sql` AND `)} ORDER BY seq`.execute(this.kysely);
    return rows.map((r) => ({
      session,
      seq: r.seq,
      ts: new Date(r.time).toISOString(),
      time: r.time,
      day: r.day,
      phase: this.names.value(r.phase),
      agent: this.names.value(r.agent),
      path: r.path,
      operation: r.operation,
      fromPath: r.from_path,
      gitHash: r.git_hash,
      bytes: r.bytes,
      user: this.names.value(r.user),
      machine: this.names.value(r.machine),
    }));
  }

  async fingerprints(fingerprints: readonly string[]): Promise<FingerprintRow[]> {
    const out: FingerprintRow[] = [];
    for (let i = 0; i < fingerprints.length; i += 500) {
      const rows = await this.kysely
        .selectFrom('error_fingerprints')
        .selectAll()
        .where('fingerprint', 'in', fingerprints.slice(i, i + 500))
        .execute();
      for (const r of rows)
        out.push({
          fingerprint: r.fingerprint,
          errorType: r.error_type,
          pattern: r.pattern,
          sample: r.sample,
          sampleAt: r.sample_at,
        });
    }
    return out;
  }
}
