/**
 * The write side: writes core's projected rows, rollup deltas and session checkpoints with
 * prepared statements. Everything here is synchronous and runs inside a transaction the caller
 * opened.
 */
import {
  type ProjectionBatch,
  type ProjectionName,
  ROLLUPS,
  type RollupName,
  type SessionProjectionState,
} from '@sat/core/projections';
import type { BulkInsert } from './sqlite-bulk-insert.js';
import { encodeHistogram, encodeSet } from './sqlite-codec.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { NameTable } from './sqlite-names.js';
import {
  type Intern,
  invocationValues,
  pushDecision,
  pushError,
  pushFileOperation,
  pushToolUse,
  pushValidation,
  sessionValues,
} from './sqlite-row-values.js';
import { prepareWriteStatements, type WriteStatements } from './sqlite-statements.js';

/** The tables each projection writes (cleared when it is rebuilt). */
export const PROJECTION_TABLES: Readonly<Record<ProjectionName, readonly string[]>> = Object.freeze({
  sessions: ['sessions'],
  agent_invocations: ['agent_invocations', 'rollup_agent_day'],
  tool_uses: ['tool_uses', 'rollup_tool_day'],
  errors: ['errors', 'error_fingerprints', 'rollup_error_day'],
  file_operations: ['file_operations'],
  decisions: ['decisions'],
  validations: ['validations'],
  api_usage: ['rollup_usage_phase', 'rollup_usage_day', 'rollup_usage_session'],
});

/** Buffers rows of one kind into a multi-row insert. */
function bulkRows<R>(
  bulk: BulkInsert,
  rows: readonly R[],
  push: (out: unknown[], row: R, n: Intern) => void,
  n: Intern,
) {
  for (const row of rows) {
    push(bulk.values, row, n);
    bulk.added();
  }
}

/** Writes projected batches and session states to the database. */
export class BatchWriter {
  private readonly statements: WriteStatements;
  private readonly intern: Intern;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly names: NameTable,
  ) {
    this.statements = prepareWriteStatements(db);
    this.intern = (value) => names.intern(value);
  }

  /** The state saved with a session's checkpoint, if any. */
  loadState(session: string): SessionProjectionState | undefined {
    const id = this.names.find(session);
    if (id === undefined) return undefined;
    const row = this.statements.selectCheckpoint.get(id) as [string] | undefined;
    return row ? (JSON.parse(row[0]) as SessionProjectionState) : undefined;
  }

  /** Saves a session's state and its checkpoint (`last_seq`). */
  saveState(state: SessionProjectionState): void {
    this.statements.upsertCheckpoint.run(this.intern(state.session), state.lastSeq, JSON.stringify(state));
  }

  /** Writes a batch; on failure nothing of it stays buffered (the caller rolls the transaction back). */
  write(batch: ProjectionBatch): void {
    try {
      this.writeRows(batch);
      this.writeRollups(batch);
    } catch (error) {
      for (const bulk of Object.values(this.statements.inserts)) bulk.discard();
      throw error;
    }
  }

  /** Deletes every row of the given projections (their tables), for a rebuild. */
  clear(projections: readonly ProjectionName[]): void {
    for (const name of projections)
      for (const table of PROJECTION_TABLES[name]) this.db.exec(`DELETE FROM ${table}`);
  }

  private writeRows(batch: ProjectionBatch): void {
    const n = this.intern;
    const { inserts, upsertSession, upsertInvocation, insertFingerprint } = this.statements;
    for (const s of batch.sessions.values()) upsertSession.run(...sessionValues(s, n));
    for (const r of batch.invocations.values()) upsertInvocation.run(...invocationValues(r, n));
    bulkRows(inserts.toolUses, batch.toolUses, pushToolUse, n);
    for (const f of batch.fingerprints.values())
      insertFingerprint.run(f.fingerprint, f.errorType, f.pattern, f.sample, f.sampleAt);
    bulkRows(inserts.errors, batch.errors, pushError, n);
    bulkRows(inserts.fileOperations, batch.fileOperations, pushFileOperation, n);
    bulkRows(inserts.decisions, batch.decisions, pushDecision, n);
    bulkRows(inserts.validations, batch.validations, pushValidation, n);
    for (const bulk of Object.values(inserts)) bulk.flush();
  }

  private writeRollups(batch: ProjectionBatch): void {
    for (const rollup of batch.rollups.rollups()) {
      const { statement } = this.statements.rollups.get(rollup)!;
      for (const entry of batch.rollups.groups(rollup)) statement.run(...this.rollupValues(rollup, entry));
    }
  }

  /** A rollup group's dimensions (names interned, days as they are) then its encoded measures. */
  private rollupValues(
    rollup: RollupName,
    entry: { dims: readonly unknown[]; measures: unknown },
  ): unknown[] {
    const n = this.intern;
    const { kinds, measures } = this.statements.rollups.get(rollup)!;
    const dims = ROLLUPS[rollup].dims;
    const params: unknown[] = entry.dims.map((value, i) => (dims[i] === 'day' ? value : n(String(value))));
    const m = entry.measures as Record<string, unknown>;
    for (let i = 0; i < measures.length; i++) {
      const value = m[measures[i]!];
      const kind = kinds[i]!;
      params.push(
        kind === 'hist'
          ? encodeHistogram(value as Map<number, number>)
          : kind === 'set'
            ? encodeSet([...(value as Set<string>)].map((session) => n(session)))
            : value,
      );
    }
    return params;
  }
}
