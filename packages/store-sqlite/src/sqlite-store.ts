import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type AnySatEvent, listSessions, readSessionEvents, SatError } from '@sat/core';
import {
  type AgentPerformance,
  type AnalyticsQuery,
  type AnalyticsStore,
  type AnalyticsStoreCapabilities,
  type AnalyticsStoreStatus,
  type ApplyResult,
  type CostAnalysis,
  type ErrorPatterns,
  HISTOGRAM_RELATIVE_ERROR,
  type IngestResult,
  PROJECTION_NAMES,
  type ProjectionName,
  projectionVersions,
  queryAgentPerformance,
  queryCostAnalysis,
  queryErrorPatterns,
  querySessionSummary,
  queryToolEffectiveness,
  type RebuildOptions,
  type RebuildResult,
  type SessionProjectionState,
  type SessionSummary,
  type ToolEffectiveness,
} from '@sat/core/projections';
import { Kysely, SqliteDialect } from 'kysely';
import { registerCodecFunctions } from './sqlite-codec.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { type ErrorContext, isCorruption, toSatError } from './sqlite-errors.js';
import { migrate } from './sqlite-migrations.js';
import { NameTable } from './sqlite-names.js';
import { SqliteReader } from './sqlite-reader.js';
import type { SatSqliteSchema } from './sqlite-schema.js';
import { resolveSettings, type SqliteStoreOptions, type SqliteStoreSettings } from './sqlite-store-config.js';
import { BatchWriter } from './sqlite-writer.js';

const require = createRequire(import.meta.url);

type ProjectionVersions = Record<ProjectionName, number>;

/** From this many new events on, an ingest checkpoints the WAL once at the end rather than every 4 MiB. */
const BULK_EVENTS = 50_000;

const META_VERSIONS = 'projection_versions';
const META_REBUILD = 'last_rebuild';

function connect(settings: SqliteStoreSettings): SqliteDatabase {
  const Database = require('better-sqlite3') as new (
    file: string,
    options: { timeout: number },
  ) => SqliteDatabase;
  if (settings.file !== ':memory:') mkdirSync(dirname(settings.file), { recursive: true });
  const db = new Database(settings.file, { timeout: settings.busyTimeoutMs });
  try {
    prepareConnection(db, settings);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function prepareConnection(db: SqliteDatabase, settings: SqliteStoreSettings): void {
  // Reading the schema fails at once (SQLITE_NOTADB / SQLITE_CORRUPT) on a damaged file.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  db.pragma(`cache_size = -${settings.cacheSizeKiB}`);
  db.pragma('temp_store = MEMORY');
  // After a checkpoint resets it, the WAL file is cut back to this size.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  registerCodecFunctions(db);
}

function moveAside(file: string): string {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm'])
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * The analytics store on SQLite (kysely + better-sqlite3): one file, WAL, versioned migrations,
 * idempotent batched ingestion with a checkpoint per session, rollups for fast queries, and
 * rebuild from the log. Open it with {@link openSqliteStore}.
 */
export class SqliteStore implements AnalyticsStore {
  readonly name = 'sqlite';
  readonly capabilities: AnalyticsStoreCapabilities;
  /** The database file. */
  readonly file: string;
  /** The session logs it ingests and rebuilds from. */
  readonly logsDir: string;
  private readonly kysely: Kysely<SatSqliteSchema>;
  // Prepared once the schema exists (see init).
  private names!: NameTable;
  private writer!: BatchWriter;
  private reader!: SqliteReader;
  private readonly versions: ProjectionVersions;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Use {@link openSqliteStore}, which also migrates and checks the projection versions. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly settings: SqliteStoreSettings,
  ) {
    this.file = settings.file;
    this.logsDir = settings.logsDir;
    this.capabilities = Object.freeze({
      ingestLog: true,
      status: true,
      persistent: !db.memory,
      multiProcess: !db.memory,
      atomicRebuild: true,
      percentileRelativeError: HISTOGRAM_RELATIVE_ERROR,
    });
    this.kysely = new Kysely<SatSqliteSchema>({
      dialect: new SqliteDialect({
        database: db as unknown as ConstructorParameters<typeof SqliteDialect>[0]['database'],
      }),
    });
    this.versions = { ...projectionVersions(), ...settings.projectionVersions };
  }

  /** Runs `fn` after every call before it (one operation at a time on the connection). */
  private exclusive<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      if (this.closed)
        throw new SatError(
          'USAGE',
          `[store-sqlite] cannot ${action} ${this.file}: the store is closed (open it again)`,
        );
      try {
        return await fn();
      } catch (error) {
        throw toSatError(error, this.context(action));
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private context(action: string): ErrorContext {
    return { file: this.file, action, busyTimeoutMs: this.settings.busyTimeoutMs };
  }

  /** Runs `fn` in an immediate write transaction (or inside the one already open). */
  private inTransaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Runs `fn` in one immediate write transaction that stays open across its awaits. */
  private async inLongTransaction<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  private commit(): void {
    this.db.exec('COMMIT');
    this.names.committed();
  }

  private rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.names.forgetUncommitted();
  }

  /** Migrates, then rebuilds the projections whose version changed. Called by {@link openSqliteStore}. */
  async init(): Promise<void> {
    await this.exclusive('open', async () => {
      await migrate(this.db, this.kysely as unknown as Kysely<unknown>, this.file);
      this.names = new NameTable(this.db);
      this.writer = new BatchWriter(this.db, this.names);
      this.reader = new SqliteReader(this.kysely, this.names);
      const stored = this.readMeta<Partial<ProjectionVersions>>(META_VERSIONS);
      if (!stored) {
        this.inTransaction(() => this.writeMeta(META_VERSIONS, this.versions));
        return;
      }
      const changed = PROJECTION_NAMES.filter((name) => stored[name] !== this.versions[name]);
      if (changed.length === 0) return;
      const reason = changed
        .map((name) => `${name} v${stored[name] ?? 0} -> v${this.versions[name]}`)
        .join(', ');
      await this.rebuildProjections(changed, `projection version changed: ${reason}`);
    });
  }

  private readMeta<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM store_meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private writeMeta(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  private applyBatch(
    events: AnySatEvent[],
    totals: { applied: number; duplicates: number; sessions: Set<string> },
  ) {
    const result = this.inTransaction(() => this.writer.apply(events));
    totals.applied += result.applied;
    totals.duplicates += result.duplicates;
    for (const session of result.sessions) totals.sessions.add(session);
  }

  apply(events: Iterable<AnySatEvent> | AsyncIterable<AnySatEvent>): Promise<ApplyResult> {
    return this.exclusive('write to', async () => {
      const totals = { applied: 0, duplicates: 0, sessions: new Set<string>() };
      let batch: AnySatEvent[] = [];
      for await (const event of events as AsyncIterable<AnySatEvent>) {
        batch.push(event);
        if (batch.length >= this.settings.batchSize) {
          this.applyBatch(batch, totals);
          batch = [];
        }
      }
      if (batch.length > 0) this.applyBatch(batch, totals);
      return { applied: totals.applied, duplicates: totals.duplicates, sessions: totals.sessions.size };
    });
  }

  /** Last applied `seq` of every session with a checkpoint. */
  private checkpoints(): Map<string, number> {
    const rows = this.db
      .prepare(
        'SELECT n.value AS session, c.last_seq AS lastSeq FROM checkpoints c JOIN names n ON n.id = c.session',
      )
      .all() as { session: string; lastSeq: number }[];
    return new Map(rows.map((row) => [row.session, row.lastSeq]));
  }

  private async ingest(logsDir: string): Promise<IngestResult> {
    const totals = { applied: 0, duplicates: 0, sessions: new Set<string>() };
    let unchanged = 0;
    let issues = 0;
    const done = this.checkpoints();
    const pending: Array<{ session: string; last: number }> = [];
    let expected = 0;
    for (const info of await listSessions(logsDir)) {
      const last = done.get(info.session) ?? 0;
      // A compressed log whose metadata is missing (an interrupted close) does not know its count.
      const countUnknown = info.status === 'closed' && info.events === 0;
      if (info.events <= last && !countUnknown) unchanged++;
      else {
        pending.push({ session: info.session, last });
        expected += info.events - last;
      }
    }
    // A large ingest: one checkpoint at the end (pages rewritten by many batches are copied
    // once, and the checkpoint's fsyncs happen once), instead of one every 1000 pages.
    const bulk = expected >= BULK_EVENTS && !this.db.inTransaction;
    if (bulk) this.db.pragma('wal_autocheckpoint = 0');
    try {
      await this.ingestSessions(logsDir, pending, totals, () => issues++);
    } finally {
      if (bulk) {
        this.db.pragma('wal_autocheckpoint = 1000');
        this.checkpointWal();
      }
    }
    return {
      applied: totals.applied,
      duplicates: totals.duplicates,
      sessions: totals.sessions.size,
      unchanged,
      issues,
    };
  }

  private async ingestSessions(
    logsDir: string,
    pending: Array<{ session: string; last: number }>,
    totals: { applied: number; duplicates: number; sessions: Set<string> },
    onIssue: () => void,
  ): Promise<void> {
    let batch: AnySatEvent[] = [];
    for (const { session, last } of pending) {
      for await (const event of readSessionEvents(logsDir, session, { fromSeq: last + 1, onIssue })) {
        batch.push(event);
        if (batch.length >= this.settings.batchSize) {
          this.applyBatch(batch, totals);
          batch = [];
        }
      }
    }
    if (batch.length > 0) this.applyBatch(batch, totals);
  }

  /**
   * Applies what is new in the session logs: for each session, only the events after its
   * checkpoint (`readSessionEvents` with `fromSeq`); a session whose log has nothing new is not
   * read at all.
   *
   * @example
   * const { applied, unchanged } = await store.ingestLog();
   */
  ingestLog(logsDir: string = this.logsDir): Promise<IngestResult> {
    return this.exclusive('write to', () => this.ingest(logsDir));
  }

  /**
   * Rebuilds from the log in one transaction (readers keep seeing the old figures until it
   * commits; a failure leaves them as they were). Without `projections`: drops every projection,
   * the applied ids and the checkpoints, and ingests the whole log. With `projections`: rebuilds
   * only those, up to each session's checkpoint.
   *
   * @example
   * await store.rebuild();
   */
  rebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
    return this.exclusive('rebuild', async () => {
      if (options.projections) return this.rebuildProjections([...options.projections], 'requested');
      const started = performance.now();
      const result = await this.inLongTransaction(async () => {
        this.writer.clear(PROJECTION_NAMES);
        this.db.exec('DELETE FROM applied_events');
        this.db.exec('DELETE FROM checkpoints');
        const ingested = await this.ingest(this.logsDir);
        this.writeMeta(META_VERSIONS, this.versions);
        this.writeMeta(META_REBUILD, {
          at: new Date().toISOString(),
          reason: 'requested',
          projections: [...PROJECTION_NAMES],
        });
        return ingested;
      });
      this.checkpointWal();
      return {
        projections: [...PROJECTION_NAMES],
        events: result.applied,
        sessions: result.sessions,
        ms: performance.now() - started,
      };
    });
  }

  private async rebuildProjections(projections: ProjectionName[], reason: string): Promise<RebuildResult> {
    const started = performance.now();
    let events = 0;
    let sessions = 0;
    await this.inLongTransaction(async () => {
      this.writer.clear(projections);
      const logged = new Set((await listSessions(this.logsDir)).map((info) => info.session));
      for (const [session, lastSeq] of this.checkpoints()) {
        const states = new Map<string, SessionProjectionState>();
        if (logged.has(session)) {
          let batch: AnySatEvent[] = [];
          for await (const event of readSessionEvents(this.logsDir, session)) {
            if (event.seq > lastSeq) break;
            batch.push(event);
            if (batch.length >= this.settings.batchSize) {
              this.writer.replay(batch, states, { projections });
              events += batch.length;
              batch = [];
            }
          }
          if (batch.length > 0) this.writer.replay(batch, states, { projections });
          events += batch.length;
        }
        const saved = this.writer.loadState(session);
        if (!saved) continue;
        const fresh = states.get(session) as Record<string, unknown> | undefined;
        const merged = saved as unknown as Record<string, unknown>;
        for (const name of projections) {
          if (fresh?.[name] !== undefined) merged[name] = fresh[name];
          else delete merged[name];
        }
        this.writer.saveState(saved);
        sessions++;
      }
      this.writeMeta(META_VERSIONS, this.versions);
      this.writeMeta(META_REBUILD, { at: new Date().toISOString(), reason, projections });
    });
    this.checkpointWal();
    return { projections, events, sessions, ms: performance.now() - started };
  }

  private checkpointWal(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Readers still on the old snapshot: SQLite checkpoints later by itself.
    }
  }

  agentPerformance(query: AnalyticsQuery = {}): Promise<AgentPerformance> {
    return this.exclusive('read', () =>
      queryAgentPerformance(this.reader, query, query.prices ?? this.settings.prices),
    );
  }

  toolEffectiveness(query: AnalyticsQuery = {}): Promise<ToolEffectiveness> {
    return this.exclusive('read', () => queryToolEffectiveness(this.reader, query));
  }

  errorPatterns(query: AnalyticsQuery = {}): Promise<ErrorPatterns> {
    return this.exclusive('read', () => queryErrorPatterns(this.reader, query));
  }

  sessionSummary(query: AnalyticsQuery = {}): Promise<SessionSummary | null> {
    return this.exclusive('read', () =>
      querySessionSummary(this.reader, query, query.prices ?? this.settings.prices),
    );
  }

  costAnalysis(query: AnalyticsQuery = {}): Promise<CostAnalysis> {
    return this.exclusive('read', () =>
      queryCostAnalysis(this.reader, query, query.prices ?? this.settings.prices),
    );
  }

  status(): Promise<AnalyticsStoreStatus> {
    return this.exclusive('read', async () => {
      const count = (table: string) =>
        Number((this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
      return {
        location: this.file,
        schemaVersion: Number(this.db.pragma('user_version', { simple: true })),
        projections: { ...this.versions, ...this.readMeta<Partial<ProjectionVersions>>(META_VERSIONS) },
        sessions: count('checkpoints'),
        events: count('applied_events'),
        lastRebuild: this.readMeta(META_REBUILD) ?? null,
      };
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.exclusive('close', async () => {
      this.closed = true;
      await this.kysely.destroy();
      if (this.db.open) this.db.close();
    });
  }
}

/**
 * Opens (creating if needed) the SQLite analytics store: `<config.paths.analytics>/sat.db` unless
 * `file` is given. Runs the migrations (refusing a database from a newer version with
 * `STORE_TOO_NEW`), and rebuilds any projection whose version changed. A damaged file fails with
 * `STORE_CORRUPT` (or is moved aside with `onCorrupt: 'recreate'`); a database locked by another
 * process is waited for `busyTimeoutMs`, then fails with `LOCK_TIMEOUT`.
 *
 * @example
 * const store = await openSqliteStore({ config: loadConfig() });
 * await store.ingestLog();
 * console.table((await store.toolEffectiveness({ days: 7 })).tools);
 * await store.close();
 */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const settings = resolveSettings(options);
  const context: ErrorContext = {
    file: settings.file,
    action: 'open',
    busyTimeoutMs: settings.busyTimeoutMs,
  };
  let db: SqliteDatabase;
  try {
    if (options.database) {
      db = options.database;
      prepareConnection(db, settings);
    } else {
      try {
        db = connect(settings);
      } catch (error) {
        if (settings.onCorrupt !== 'recreate' || !isCorruption(error)) throw error;
        moveAside(settings.file);
        db = connect(settings);
      }
    }
  } catch (error) {
    throw toSatError(error, context);
  }
  const store = new SqliteStore(db, settings);
  try {
    await store.init();
  } catch (error) {
    if (
      settings.onCorrupt === 'recreate' &&
      !options.database &&
      (error as SatError).code === 'STORE_CORRUPT'
    ) {
      if (db.open) db.close();
      moveAside(settings.file);
      return openSqliteStore({ ...options, onCorrupt: 'error' });
    }
    if (db.open && !options.database) db.close();
    throw error;
  }
  return store;
}
