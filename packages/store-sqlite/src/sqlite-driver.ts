/**
 * The SQLite `AnalyticsDriver`: transactions on one better-sqlite3 connection, the names table,
 * the batch writer and the reader. Core's `createAnalyticsStore` does the rest.
 */
import type {
  AnalyticsDriver,
  AnalyticsDriverCapabilities,
  AnalyticsDriverCounts,
  AnySatEvent,
} from '@sat/core';
import {
  HISTOGRAM_RELATIVE_ERROR,
  type ProjectionBatch,
  type ProjectionName,
  type SessionProjectionState,
} from '@sat/core/projections';
import { Kysely, SqliteDialect } from 'kysely';
import { AppliedIds } from './sqlite-applied.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { toSatError } from './sqlite-errors.js';
import { NameTable } from './sqlite-names.js';
import { SqliteReader } from './sqlite-reader.js';
import type { SatSqliteSchema } from './sqlite-schema.js';
import type { SqliteStoreSettings } from './sqlite-store-config.js';
import { BatchWriter } from './sqlite-writer.js';

/** A Kysely instance on an open connection (for migrations and the reader). */
export function kyselyOf(db: SqliteDatabase): Kysely<SatSqliteSchema> {
  return new Kysely<SatSqliteSchema>({
    dialect: new SqliteDialect({
      database: db as unknown as ConstructorParameters<typeof SqliteDialect>[0]['database'],
    }),
  });
}

/** The driver of a migrated SQLite database. Synchronous throughout except `transaction`. */
export class SqliteDriver implements AnalyticsDriver {
  readonly name = 'sqlite';
  readonly packageName = 'store-sqlite';
  readonly location: string;
  readonly capabilities: AnalyticsDriverCapabilities;
  readonly reader: SqliteReader;
  private readonly names: NameTable;
  private readonly applied: AppliedIds;
  private readonly writer: BatchWriter;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly kysely: Kysely<SatSqliteSchema>,
    private readonly settings: SqliteStoreSettings,
  ) {
    this.location = settings.file;
    this.capabilities = Object.freeze({
      persistent: !db.memory,
      multiProcess: !db.memory,
      atomicRebuild: true,
      percentileRelativeError: HISTOGRAM_RELATIVE_ERROR,
    });
    this.names = new NameTable(db);
    this.applied = new AppliedIds(db, this.names);
    this.writer = new BatchWriter(db, this.names);
    this.reader = new SqliteReader(kysely, this.names);
  }

  /** An immediate write transaction, open across the awaits of `fn`; joins one already open. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      this.names.committed();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.names.forgetUncommitted();
      throw error;
    }
  }

  markApplied(events: readonly AnySatEvent[]): AnySatEvent[] {
    return this.applied.mark(events);
  }

  loadStates(sessions: readonly string[]): Map<string, SessionProjectionState> {
    const out = new Map<string, SessionProjectionState>();
    for (const session of sessions) {
      const state = this.writer.loadState(session);
      if (state) out.set(session, state);
    }
    return out;
  }

  writeRows(batch: ProjectionBatch): void {
    this.writer.write(batch);
  }

  saveStates(states: readonly SessionProjectionState[]): void {
    for (const state of states) this.writer.saveState(state);
  }

  clearProjections(projections: readonly ProjectionName[]): void {
    this.writer.clear(projections);
  }

  clearApplied(): void {
    this.applied.clear();
    this.db.exec('DELETE FROM checkpoints');
  }

  checkpoints(): Map<string, number> {
    const rows = this.db
      .prepare(
        'SELECT n.value AS session, c.last_seq AS lastSeq FROM checkpoints c JOIN names n ON n.id = c.session',
      )
      .all() as { session: string; lastSeq: number }[];
    return new Map(rows.map((row) => [row.session, row.lastSeq]));
  }

  readMeta<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM store_meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  writeMeta(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  counts(): AnalyticsDriverCounts {
    const count = (table: string) =>
      Number((this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return {
      schemaVersion: Number(this.db.pragma('user_version', { simple: true })),
      sessions: count('checkpoints'),
      events: count('applied_events'),
    };
  }

  /**
   * A large ingest: one WAL checkpoint at the end (pages rewritten by many batches are copied
   * once, and the checkpoint's fsyncs happen once), instead of one every 1000 pages.
   */
  async bulk<T>(fn: () => Promise<T>): Promise<T> {
    this.db.pragma('wal_autocheckpoint = 0');
    try {
      return await fn();
    } finally {
      this.db.pragma('wal_autocheckpoint = 1000');
      this.settle();
    }
  }

  /** Truncates the WAL after a rebuild or a bulk ingest. */
  settle(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Readers still on the old snapshot: SQLite checkpoints later by itself.
    }
  }

  mapError(error: unknown, action: string): Error {
    return toSatError(error, { file: this.location, action, busyTimeoutMs: this.settings.busyTimeoutMs });
  }

  /** Closes the Kysely instance and the connection (an injected one too). */
  async close(): Promise<void> {
    await this.kysely.destroy();
    if (this.db.open) this.db.close();
  }
}
