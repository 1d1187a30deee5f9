import type { AnySatEvent } from '../events/envelope.js';
import type { AnalyticsReader } from '../projections/analytics-queries.js';
import type { ProjectionBatch } from '../projections/projection-batch.js';
import type { ProjectionName } from '../projections/projection-names.js';
import type { SessionProjectionState } from '../projections/projection-rows.js';

/**
 * A value, or a promise of it. Every driver method may return either: the generic store awaits
 * each call, so a synchronous driver (better-sqlite3) pays no promise per statement and an
 * asynchronous one (MongoDB) needs no wrapper.
 */
export type MaybePromise<T> = T | Promise<T>;

/** What the database behind a driver guarantees; the store's `capabilities` are built from it. */
export interface AnalyticsDriverCapabilities {
  /** Data survives `close()` and reopening. */
  persistent: boolean;
  /** Several processes can use the same database at once (writes wait for each other). */
  multiProcess: boolean;
  /** {@link AnalyticsDriver.transaction} is atomic and isolated: readers see the old rows until it commits. */
  atomicRebuild: boolean;
  /** Largest relative error of the duration percentiles the reader computes (0 when exact). */
  percentileRelativeError: number;
}

/** Row counts and schema version, for the store's `status()`. */
export interface AnalyticsDriverCounts {
  /** Schema version (migrations applied). */
  schemaVersion: number;
  /** Sessions with a checkpoint. */
  sessions: number;
  /** Event ids recorded as applied. */
  events: number;
}

/**
 * The database side of an analytics store. `createAnalyticsStore(driver, options)` in core does
 * everything generic on top of it (one operation at a time, batching, dedupe order, checkpoints,
 * log ingestion, full and partial rebuild, projection versions and their meta, the five queries),
 * so a store package only moves rows in and out of its database.
 *
 * ## Writing a store driver
 * 1. Implement the required members: {@link transaction}, {@link markApplied},
 *    {@link loadStates}, {@link writeRows}, {@link saveStates}, {@link clearProjections},
 *    {@link clearApplied}, {@link checkpoints}, {@link readMeta}, {@link writeMeta},
 *    {@link reader} and {@link close}. Each may be synchronous or return a promise
 *    ({@link MaybePromise}); the store awaits every call and never runs two operations at once,
 *    so a driver needs no locking of its own within one process.
 * 2. Declare {@link capabilities} truthfully: the contract suite (`describeAnalyticsStore` from
 *    `@sat/core/testing`) reads them to decide which cases run.
 * 3. Add the optional extras your database has: {@link counts} (enables `status()`),
 *    {@link bulk} (a cheaper mode for large ingests), {@link settle} (after a rebuild),
 *    {@link mapError} (native failures to `SatError` codes at the package boundary).
 * 4. Migrate the schema before handing the driver over, then call `createAnalyticsStore`, and
 *    run the contract suite from exactly one test file of the package.
 *
 * @example
 * const driver = await openMyDriver(url); // implements AnalyticsDriver
 * const store = await createAnalyticsStore(driver, { logsDir: config.paths.logs });
 */
export interface AnalyticsDriver {
  /** Short name of the implementation (`sqlite`, `mongo`), the store's `name`. */
  readonly name: string;
  /** The package named in error messages (`store-sqlite`). */
  readonly packageName: string;
  /** Where the data is (a file, a database URL without credentials): `status().location` and messages. */
  readonly location: string;
  readonly capabilities: AnalyticsDriverCapabilities;
  /** Reads the projected rows for core's queries. */
  readonly reader: AnalyticsReader;
  /**
   * Runs `fn` in one write transaction that stays open across its awaits, commits when it
   * resolves and rolls back when it throws. A call while one is open joins it.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Records the events' ids as applied and returns, in their order, those never applied before.
   * The rest are duplicates the store counts and skips.
   */
  markApplied(events: readonly AnySatEvent[]): MaybePromise<AnySatEvent[]>;
  /** The projection state saved with each session's checkpoint (sessions without one are absent). */
  loadStates(sessions: readonly string[]): MaybePromise<Map<string, SessionProjectionState>>;
  /** Writes a projected batch: its rows, and its rollup deltas merged into the stored rollups. */
  writeRows(batch: ProjectionBatch): MaybePromise<void>;
  /** Saves each state with its session's checkpoint (`state.lastSeq`), replacing the previous one. */
  saveStates(states: readonly SessionProjectionState[]): MaybePromise<void>;
  /** Deletes every row (and rollup) of the given projections, for a rebuild of them. */
  clearProjections(projections: readonly ProjectionName[]): MaybePromise<void>;
  /** Deletes every applied id and every checkpoint, for a full rebuild. */
  clearApplied(): MaybePromise<void>;
  /** The last applied `seq` of every session with a checkpoint. */
  checkpoints(): MaybePromise<Map<string, number>>;
  /** A value stored under `key` by {@link writeMeta}, or undefined. */
  readMeta<T>(key: string): MaybePromise<T | undefined>;
  /** Stores a JSON-serialisable value under `key`, replacing the previous one. */
  writeMeta(key: string, value: unknown): MaybePromise<void>;
  /** Releases the connection; called once, by the store's `close()`. */
  close(): MaybePromise<void>;
  /** Extra: counts for `status()` (without it the store has no `status`). */
  counts?(): MaybePromise<AnalyticsDriverCounts>;
  /**
   * Extra: runs a large ingest (outside any transaction) in a cheaper mode, e.g. SQLite checkpoints
   * its WAL once at the end rather than every few MiB.
   */
  bulk?<T>(fn: () => Promise<T>): Promise<T>;
  /** Extra: tidies up after a rebuild committed (SQLite truncates its WAL). Must not throw. */
  settle?(): MaybePromise<void>;
  /** Extra: maps a native failure during `action` (`write to`, `read`, `rebuild`) to a `SatError`. */
  mapError?(error: unknown, action: string): Error;
}
