/**
 * The interface every analytics store implements (store-sqlite, store-mongo): a small required
 * core, optional extras, and an explicit `capabilities` object. A store package does not implement
 * it by hand: it writes an `AnalyticsDriver` and calls core's `createAnalyticsStore(driver,
 * options)`. Every store passes the shared contract suite `describeAnalyticsStore` from
 * `@sat/core/testing`.
 */

import type { AnySatEvent } from '../events/envelope.js';
import type { PriceTable } from '../pricing/prices.js';
import type { AnalyticsFilters } from './analytics-filters.js';
import type {
  AgentPerformance,
  CostAnalysis,
  ErrorPatterns,
  SessionSummary,
  TeamActivity,
  ToolEffectiveness,
} from './analytics-results.js';
import type { ProjectionName } from './projection-names.js';

/** Filters plus the price table to compute costs with. */
export interface AnalyticsQuery extends AnalyticsFilters {
  /** Prices for costs. Default: the store's table (`DEFAULT_PRICES` unless configured). */
  prices?: PriceTable;
}

/** What `apply` did. */
export interface ApplyResult {
  /** Events projected now. */
  applied: number;
  /** Events skipped because their id was applied before. */
  duplicates: number;
  /** Sessions with events applied. */
  sessions: number;
}

/** What `ingestLog` did. */
export interface IngestResult extends ApplyResult {
  /** Sessions whose log had nothing new since their checkpoint (not read). */
  unchanged: number;
  /** Problems the log reader reported (bad lines are quarantined by it and skipped). */
  issues: number;
}

/** Options of `rebuild`. */
export interface RebuildOptions {
  /**
   * Rebuild only these projections from the log, up to each session's checkpoint (default: drop
   * everything and re-ingest the whole log).
   */
  projections?: readonly ProjectionName[];
}

/** What `rebuild` did. */
export interface RebuildResult {
  projections: ProjectionName[];
  events: number;
  sessions: number;
  ms: number;
}

/** What a store can do beyond the required core; callers and the contract suite read it. */
export interface AnalyticsStoreCapabilities {
  /** `ingestLog(logsDir?)` reads only what is new in a log folder (per-session checkpoint by seq). */
  ingestLog: boolean;
  /** `status()` is available. */
  status: boolean;
  /** Data survives `close()` and reopening. */
  persistent: boolean;
  /** Several processes can use the same store at once (writes wait for each other). */
  multiProcess: boolean;
  /** `rebuild()` is atomic: readers see the old figures until it is done, and a failure keeps them. */
  atomicRebuild: boolean;
  /** Largest relative error of the duration percentiles (0 when exact). */
  percentileRelativeError: number;
}

/** A store's state, from `status()`. */
export interface AnalyticsStoreStatus {
  /** Where it keeps its data (a file, a database URL without credentials). */
  location: string;
  /** Schema version (migrations applied). */
  schemaVersion: number;
  /** The projection versions the data was built with. */
  projections: Record<ProjectionName, number>;
  sessions: number;
  events: number;
  /** The last rebuild: when, why, and of which projections. */
  lastRebuild: { at: string; reason: string; projections: ProjectionName[] } | null;
}

/**
 * An analytics store: applies events idempotently (by event id, with a per-session checkpoint),
 * rebuilds everything from the log, and answers the five queries. Costs are computed at query
 * time from a price table, never stored.
 *
 * @example
 * const store = await openSqliteStore({ logsDir });
 * await store.ingestLog?.();
 * const { agents } = await store.agentPerformance({ days: 7 });
 * await store.close();
 */
export interface AnalyticsStore {
  /** Short name of the implementation (`sqlite`, `mongo`). */
  readonly name: string;
  readonly capabilities: AnalyticsStoreCapabilities;
  /**
   * Projects events into the store. Idempotent: an event whose id was applied before is skipped.
   * Events of a session should come in `seq` order (a `phase` event sets the phase of the events
   * after it); each batch is written in one transaction with the session's checkpoint.
   */
  apply(events: Iterable<AnySatEvent> | AsyncIterable<AnySatEvent>): Promise<ApplyResult>;
  /** Drops the projections and rebuilds them from the log (all, or the ones named). */
  rebuild(options?: RebuildOptions): Promise<RebuildResult>;
  /** Invocations, success rate, durations, tokens and cost per agent type. */
  agentPerformance(query?: AnalyticsQuery): Promise<AgentPerformance>;
  /** Uses, success rate and durations per tool and per agent. */
  toolEffectiveness(query?: AnalyticsQuery): Promise<ToolEffectiveness>;
  /** Errors by type and fingerprint, recurrence across sessions, resolution rate. */
  errorPatterns(query?: AnalyticsQuery): Promise<ErrorPatterns>;
  /** One session (`query.session`, default the latest): figures, agents, tools, errors, files. Null when there is none. */
  sessionSummary(query?: AnalyticsQuery): Promise<SessionSummary | null>;
  /** Tokens and cost per phase, per agent and per model. */
  costAnalysis(query?: AnalyticsQuery): Promise<CostAnalysis>;
  /** Sessions, tokens, cost and errors per user x machine x day (see `queryTeamActivity`). */
  team(query?: AnalyticsQuery): Promise<TeamActivity>;
  /** Releases the store; further calls fail. */
  close(): Promise<void>;
  /** Extra (capabilities.ingestLog): applies what is new in the log folder (default: the store's). */
  ingestLog?(logsDir?: string): Promise<IngestResult>;
  /** Extra (capabilities.status). */
  status?(): Promise<AnalyticsStoreStatus>;
}
