/**
 * The write statements of the store, prepared once per connection: the per-row upserts, the
 * multi-row inserts of the event tables, and one upsert per rollup that merges its measures.
 */
import { MEASURE_FAMILIES, type MeasureKind, ROLLUPS, type RollupName } from '@sat/core/projections';
import { BulkInsert } from './sqlite-bulk-insert.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';

/** The table of a rollup. */
export function rollupTable(rollup: RollupName): string {
  return `rollup_${rollup}`;
}

const MEASURE_UPDATES: Record<MeasureKind, (c: string, x: string) => string> = {
  sum: (c, x) => `${c} = ${c} + ${x}`,
  min: (c, x) => `${c} = CASE WHEN ${c} IS NULL OR ${x} < ${c} THEN ${x} ELSE ${c} END`,
  max: (c, x) => `${c} = CASE WHEN ${c} IS NULL OR ${x} > ${c} THEN ${x} ELSE ${c} END`,
  hist: (c, x) => `${c} = sat_hist_merge(${c}, ${x})`,
  set: (c, x) => `${c} = sat_set_merge(${c}, ${x})`,
};

function measureUpdate(column: string, kind: MeasureKind): string {
  return MEASURE_UPDATES[kind](`"${column}"`, `excluded."${column}"`);
}

const placeholders = (n: number) => Array(n).fill('?').join(', ');

/** A rollup's upsert, with its measures' names and kinds in column order. */
export interface RollupUpsert {
  statement: SqliteStatement;
  kinds: MeasureKind[];
  measures: string[];
}

/** The multi-row inserts of the event tables. */
export interface EventInserts {
  toolUses: BulkInsert;
  errors: BulkInsert;
  fileOperations: BulkInsert;
  decisions: BulkInsert;
  validations: BulkInsert;
}

/** Every write statement {@link BatchWriter} runs. */
export interface WriteStatements {
  selectCheckpoint: SqliteStatement;
  upsertCheckpoint: SqliteStatement;
  upsertSession: SqliteStatement;
  upsertInvocation: SqliteStatement;
  insertFingerprint: SqliteStatement;
  inserts: EventInserts;
  rollups: Map<RollupName, RollupUpsert>;
}

function prepareRollups(db: SqliteDatabase): Map<RollupName, RollupUpsert> {
  const out = new Map<RollupName, RollupUpsert>();
  for (const [name, source] of Object.entries(ROLLUPS) as [RollupName, (typeof ROLLUPS)[RollupName]][]) {
    const measures = Object.entries(MEASURE_FAMILIES[source.family]) as [string, MeasureKind][];
    const columns = [...source.dims, ...measures.map(([m]) => m)];
    const statement = db.prepare(
      `INSERT INTO ${rollupTable(name)} (${columns.map((c) => `"${c}"`).join(', ')})
       VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (${source.dims.map((d) => `"${d}"`).join(', ')}) DO UPDATE SET
       ${measures.map(([m, kind]) => measureUpdate(m, kind)).join(', ')}`,
    );
    out.set(name, { statement, kinds: measures.map(([, k]) => k), measures: measures.map(([m]) => m) });
  }
  return out;
}

function prepareInserts(db: SqliteDatabase): EventInserts {
  return {
    toolUses: new BulkInsert(
      db,
      `INSERT INTO tool_uses (session, seq, time, day, phase, agent, tool, duration_ms, duration_bucket,
        success, parameters, error, user, machine) VALUES`,
      14,
    ),
    errors: new BulkInsert(
      db,
      `INSERT INTO errors (session, seq, time, day, phase, agent, error_type, fingerprint, message, context,
        attempted_fix, fix_attempted, fixed, tool_use_id, user, machine) VALUES`,
      16,
    ),
    fileOperations: new BulkInsert(
      db,
      `INSERT INTO file_operations (session, seq, time, day, phase, agent, path, operation, from_path, git_hash,
        bytes, user, machine) VALUES`,
      13,
    ),
    decisions: new BulkInsert(
      db,
      `INSERT INTO decisions (session, seq, time, day, phase, agent, question, selected, options, rationale,
        user, machine) VALUES`,
      12,
    ),
    validations: new BulkInsert(
      db,
      `INSERT INTO validations (session, seq, time, day, phase, agent, task, result, checks, checks_passed,
        user, machine) VALUES`,
      12,
    ),
  };
}

/** Prepares every write statement on `db` (whose schema is migrated). */
export function prepareWriteStatements(db: SqliteDatabase): WriteStatements {
  return {
    selectCheckpoint: db.prepare('SELECT state FROM checkpoints WHERE session = ?').raw(true),
    upsertCheckpoint: db.prepare(
      `INSERT INTO checkpoints (session, last_seq, state) VALUES (?, ?, ?)
       ON CONFLICT (session) DO UPDATE SET last_seq = excluded.last_seq, state = excluded.state`,
    ),
    upsertSession: db.prepare(
      `INSERT OR REPLACE INTO sessions (session, session_id, first_event_at, last_event_at, started_at, ended_at,
        end_reason, phase, phases, client, model, cwd, git_branch, events, last_seq, event_counts, tool_failures,
        errors_fixed, validations_failed, user, machine, first_day) VALUES (${placeholders(22)})`,
    ),
    upsertInvocation: db.prepare(
      `INSERT OR REPLACE INTO agent_invocations (id, session, seq, day, phase, agent, parent_agent, subagent_id,
        tool_use_id, reason, started_at, ended_at, status, success, duration_ms, duration_bucket, model,
        input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, user, machine)
        VALUES (${placeholders(23)})`,
    ),
    insertFingerprint: db.prepare(
      `INSERT INTO error_fingerprints (fingerprint, error_type, pattern, sample, sample_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint) DO UPDATE SET sample = excluded.sample, sample_at = excluded.sample_at
       WHERE excluded.sample_at < sample_at
          OR (excluded.sample_at = sample_at AND coalesce(excluded.sample, '') < coalesce(sample, ''))`,
    ),
    inserts: prepareInserts(db),
    rollups: prepareRollups(db),
  };
}
