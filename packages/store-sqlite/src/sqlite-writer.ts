/**
 * The write side: records applied event ids, runs core's projections on the new events and
 * writes their rows, rollup deltas and session checkpoints with prepared statements. Everything
 * here is synchronous and runs inside a transaction the caller opened.
 */
import type { AnySatEvent } from '@sat/core';
import {
  durationBucket,
  MEASURE_FAMILIES,
  type MeasureKind,
  type ProjectionBatch,
  type ProjectionName,
  projectEvents,
  ROLLUPS,
  type RollupName,
  type SessionProjectionState,
} from '@sat/core/projections';
import { BulkInsert, ROWS_PER_STATEMENT } from './sqlite-bulk-insert.js';
import { encodeHistogram, encodeSet } from './sqlite-codec.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { NameTable } from './sqlite-names.js';

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

/** The table of a rollup. */
export function rollupTable(rollup: RollupName): string {
  return `rollup_${rollup}`;
}

function measureUpdate(column: string, kind: MeasureKind): string {
  const c = `"${column}"`;
  const x = `excluded."${column}"`;
  switch (kind) {
    case 'sum':
      return `${c} = ${c} + ${x}`;
    case 'min':
      return `${c} = CASE WHEN ${c} IS NULL OR ${x} < ${c} THEN ${x} ELSE ${c} END`;
    case 'max':
      return `${c} = CASE WHEN ${c} IS NULL OR ${x} > ${c} THEN ${x} ELSE ${c} END`;
    case 'hist':
      return `${c} = sat_hist_merge(${c}, ${x})`;
    case 'set':
      return `${c} = sat_set_merge(${c}, ${x})`;
  }
}

/** What {@link BatchWriter.apply} did. */
export interface BatchResult {
  applied: number;
  duplicates: number;
  sessions: Set<string>;
}

/** Options of {@link BatchWriter.apply} and {@link BatchWriter.replay}. */
interface ProjectOptions {
  projections?: readonly ProjectionName[];
}

const bool = (value: boolean | null) => (value === null ? null : value ? 1 : 0);

/** Writes projected batches to the database. */
export class BatchWriter {
  private readonly insertApplied: BulkInsert;
  private readonly selectCheckpoint: SqliteStatement;
  private readonly upsertCheckpoint: SqliteStatement;
  private readonly upsertSession: SqliteStatement;
  private readonly upsertInvocation: SqliteStatement;
  private readonly insertToolUse: BulkInsert;
  private readonly insertError: BulkInsert;
  private readonly insertFingerprint: SqliteStatement;
  private readonly insertFileOperation: BulkInsert;
  private readonly insertDecision: BulkInsert;
  private readonly insertValidation: BulkInsert;
  private readonly upsertRollup = new Map<
    RollupName,
    { statement: SqliteStatement; kinds: MeasureKind[]; measures: string[] }
  >();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly names: NameTable,
  ) {
    this.insertApplied = new BulkInsert(
      db,
      'INSERT INTO applied_events (id, session, seq) VALUES',
      3,
      'ON CONFLICT (id) DO NOTHING',
    );
    this.selectCheckpoint = db.prepare('SELECT state FROM checkpoints WHERE session = ?').raw(true);
    this.upsertCheckpoint = db.prepare(
      `INSERT INTO checkpoints (session, last_seq, state) VALUES (?, ?, ?)
       ON CONFLICT (session) DO UPDATE SET last_seq = excluded.last_seq, state = excluded.state`,
    );
    this.upsertSession = db.prepare(
      `INSERT OR REPLACE INTO sessions (session, session_id, first_event_at, last_event_at, started_at, ended_at,
        end_reason, phase, phases, client, model, cwd, git_branch, events, last_seq, event_counts, tool_failures,
        errors_fixed, validations_failed) VALUES (${Array(19).fill('?').join(', ')})`,
    );
    this.upsertInvocation = db.prepare(
      `INSERT OR REPLACE INTO agent_invocations (id, session, seq, day, phase, agent, parent_agent, subagent_id,
        tool_use_id, reason, started_at, ended_at, status, success, duration_ms, duration_bucket, model,
        input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens) VALUES (${Array(21).fill('?').join(', ')})`,
    );
    this.insertToolUse = new BulkInsert(
      db,
      `INSERT INTO tool_uses (session, seq, time, day, phase, agent, tool, duration_ms, duration_bucket,
        success, parameters, error) VALUES`,
      12,
    );
    this.insertError = new BulkInsert(
      db,
      `INSERT INTO errors (session, seq, time, day, phase, agent, error_type, fingerprint, message, context,
        attempted_fix, fix_attempted, fixed, tool_use_id) VALUES`,
      14,
    );
    this.insertFingerprint = db.prepare(
      `INSERT INTO error_fingerprints (fingerprint, error_type, pattern, sample, sample_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint) DO UPDATE SET sample = excluded.sample, sample_at = excluded.sample_at
       WHERE excluded.sample_at < sample_at
          OR (excluded.sample_at = sample_at AND coalesce(excluded.sample, '') < coalesce(sample, ''))`,
    );
    this.insertFileOperation = new BulkInsert(
      db,
      'INSERT INTO file_operations (session, seq, time, day, phase, agent, path, operation, from_path, git_hash, bytes) VALUES',
      11,
    );
    this.insertDecision = new BulkInsert(
      db,
      'INSERT INTO decisions (session, seq, time, day, phase, agent, question, selected, options, rationale) VALUES',
      10,
    );
    this.insertValidation = new BulkInsert(
      db,
      'INSERT INTO validations (session, seq, time, day, phase, agent, task, result, checks, checks_passed) VALUES',
      10,
    );
    for (const [name, source] of Object.entries(ROLLUPS) as [RollupName, (typeof ROLLUPS)[RollupName]][]) {
      const measures = Object.entries(MEASURE_FAMILIES[source.family]) as [string, MeasureKind][];
      const columns = [...source.dims, ...measures.map(([m]) => m)];
      const statement = db.prepare(
        `INSERT INTO ${rollupTable(name)} (${columns.map((c) => `"${c}"`).join(', ')})
         VALUES (${columns.map(() => '?').join(', ')})
         ON CONFLICT (${source.dims.map((d) => `"${d}"`).join(', ')}) DO UPDATE SET
         ${measures.map(([m, kind]) => measureUpdate(m, kind)).join(', ')}`,
      );
      this.upsertRollup.set(name, {
        statement,
        kinds: measures.map(([, k]) => k),
        measures: measures.map(([m]) => m),
      });
    }
  }

  /** The state saved with a session's checkpoint, if any. */
  loadState(session: string): SessionProjectionState | undefined {
    const id = this.names.find(session);
    if (id === undefined) return undefined;
    const row = this.selectCheckpoint.get(id) as [string] | undefined;
    return row ? (JSON.parse(row[0]) as SessionProjectionState) : undefined;
  }

  /**
   * Applies events: skips those whose id was applied before, projects the others and writes
   * everything with the checkpoints of the sessions touched. Call inside a transaction.
   */
  apply(events: readonly AnySatEvent[]): BatchResult {
    const fresh: AnySatEvent[] = [];
    let duplicates = 0;
    const one = (event: AnySatEvent) => {
      if (this.insertApplied.runOne([event.id, this.names.intern(event.session), event.seq]).changes > 0)
        fresh.push(event);
      else duplicates++;
    };
    let at = 0;
    // Full chunks in one statement; a chunk with an id applied before is undone and done one by one.
    for (; at + ROWS_PER_STATEMENT <= events.length; at += ROWS_PER_STATEMENT) {
      const params: unknown[] = [];
      for (let i = at; i < at + ROWS_PER_STATEMENT; i++) {
        const event = events[i]!;
        params.push(event.id, this.names.intern(event.session), event.seq);
      }
      this.db.exec('SAVEPOINT sat_applied');
      if (this.insertApplied.runMany(params).changes === ROWS_PER_STATEMENT) {
        this.db.exec('RELEASE sat_applied');
        for (let i = at; i < at + ROWS_PER_STATEMENT; i++) fresh.push(events[i]!);
      } else {
        this.db.exec('ROLLBACK TO sat_applied');
        this.db.exec('RELEASE sat_applied');
        for (let i = at; i < at + ROWS_PER_STATEMENT; i++) one(events[i]!);
      }
    }
    for (; at < events.length; at++) one(events[at]!);
    const sessions = new Set<string>();
    if (fresh.length === 0) return { applied: 0, duplicates, sessions };
    const batch = projectEvents(fresh, (session) => this.loadState(session));
    this.writeOrDiscard(batch);
    for (const [session, state] of batch.states) {
      sessions.add(session);
      this.saveState(state);
    }
    return { applied: fresh.length, duplicates, sessions };
  }

  /**
   * Re-projects events for some projections only (a rebuild of those), with states kept by the
   * caller across batches; writes their rows, not the checkpoints. Call inside a transaction.
   */
  replay(
    events: readonly AnySatEvent[],
    states: Map<string, SessionProjectionState>,
    options: ProjectOptions,
  ): void {
    const batch = projectEvents(events, (session) => states.get(session), options);
    for (const [session, state] of batch.states) states.set(session, state);
    this.writeOrDiscard(batch);
  }

  /** Saves a session's state and its checkpoint (`last_seq`). */
  saveState(state: SessionProjectionState): void {
    this.upsertCheckpoint.run(this.names.intern(state.session), state.lastSeq, JSON.stringify(state));
  }

  private get bulks(): BulkInsert[] {
    return [
      this.insertToolUse,
      this.insertError,
      this.insertFileOperation,
      this.insertDecision,
      this.insertValidation,
    ];
  }

  /** Writes a batch; on failure nothing of it stays buffered (the caller rolls the transaction back). */
  private writeOrDiscard(batch: ProjectionBatch): void {
    try {
      this.write(batch);
    } catch (error) {
      for (const bulk of this.bulks) bulk.discard();
      throw error;
    }
  }

  private write(batch: ProjectionBatch): void {
    const n = (value: string) => this.names.intern(value);
    for (const s of batch.sessions.values()) {
      this.upsertSession.run(
        n(s.session),
        s.session,
        s.firstEventAt,
        s.lastEventAt,
        s.startedAt,
        s.endedAt,
        s.endReason,
        s.phase,
        JSON.stringify(s.phases),
        s.client,
        s.model,
        s.cwd,
        s.gitBranch,
        s.events,
        s.lastSeq,
        JSON.stringify(s.eventCounts),
        s.toolFailures,
        s.errorsFixed,
        s.validationsFailed,
      );
    }
    for (const r of batch.invocations.values()) {
      this.upsertInvocation.run(
        r.id,
        n(r.session),
        r.seq,
        r.day,
        n(r.phase),
        n(r.agent),
        r.parentAgent,
        r.agentId,
        r.toolUseId,
        r.reason,
        r.startedAt,
        r.endedAt,
        r.status,
        bool(r.success),
        r.durationMs,
        r.durationMs === null ? null : durationBucket(r.durationMs),
        r.model,
        r.tokens?.input ?? null,
        r.tokens?.output ?? null,
        r.tokens?.cacheCreation ?? null,
        r.tokens?.cacheRead ?? null,
      );
    }
    for (const r of batch.toolUses) {
      this.insertToolUse.values.push(
        n(r.session),
        r.seq,
        r.time,
        r.day,
        n(r.phase),
        n(r.agent),
        n(r.tool),
        r.durationMs,
        r.durationMs === null ? null : durationBucket(r.durationMs),
        r.success ? 1 : 0,
        r.parameters,
        r.error,
      );
      this.insertToolUse.added();
    }
    for (const f of batch.fingerprints.values())
      this.insertFingerprint.run(f.fingerprint, f.errorType, f.pattern, f.sample, f.sampleAt);
    for (const r of batch.errors) {
      this.insertError.values.push(
        n(r.session),
        r.seq,
        r.time,
        r.day,
        n(r.phase),
        n(r.agent),
        r.errorType,
        n(r.fingerprint),
        r.message,
        r.context,
        r.attemptedFix,
        r.fixAttempted ? 1 : 0,
        bool(r.fixed),
        r.toolUseId,
      );
      this.insertError.added();
    }
    for (const r of batch.fileOperations) {
      this.insertFileOperation.values.push(
        n(r.session),
        r.seq,
        r.time,
        r.day,
        n(r.phase),
        n(r.agent),
        r.path,
        r.operation,
        r.fromPath,
        r.gitHash,
        r.bytes,
      );
      this.insertFileOperation.added();
    }
    for (const r of batch.decisions) {
      this.insertDecision.values.push(
        n(r.session),
        r.seq,
        r.time,
        r.day,
        n(r.phase),
        n(r.agent),
        r.question,
        r.selected,
        r.options ? JSON.stringify(r.options) : null,
        r.rationale,
      );
      this.insertDecision.added();
    }
    for (const r of batch.validations) {
      this.insertValidation.values.push(
        n(r.session),
        r.seq,
        r.time,
        r.day,
        n(r.phase),
        n(r.agent),
        r.task,
        r.result,
        r.checks,
        r.checksPassed,
      );
      this.insertValidation.added();
    }
    for (const bulk of this.bulks) bulk.flush();
    for (const rollup of batch.rollups.rollups()) {
      const { statement, kinds, measures } = this.upsertRollup.get(rollup)!;
      const dims = ROLLUPS[rollup].dims;
      for (const entry of batch.rollups.groups(rollup)) {
        const params: unknown[] = entry.dims.map((value, i) =>
          dims[i] === 'day' ? value : n(String(value)),
        );
        const m = entry.measures as unknown as Record<string, unknown>;
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
        statement.run(...params);
      }
    }
  }

  /** Deletes every row of the given projections (their tables), for a rebuild. */
  clear(projections: readonly ProjectionName[]): void {
    for (const name of projections)
      for (const table of PROJECTION_TABLES[name]) this.db.exec(`DELETE FROM ${table}`);
  }
}
