import type { AnySatEvent } from '../events/envelope.js';
import type { EventOwner } from '../events/event-origin.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import {
  queryAgentPerformance,
  queryCostAnalysis,
  queryErrorPatterns,
  querySessionSummary,
  queryToolEffectiveness,
} from '../projections/analytics-queries.js';
import type {
  AgentPerformance,
  CostAnalysis,
  ErrorPatterns,
  SessionSummary,
  TeamActivity,
  ToolEffectiveness,
} from '../projections/analytics-results.js';
import type {
  AnalyticsQuery,
  AnalyticsStore,
  AnalyticsStoreCapabilities,
  AnalyticsStoreStatus,
  ApplyResult,
  IngestResult,
  RebuildOptions,
  RebuildResult,
} from '../projections/analytics-store.js';
import { projectionVersions } from '../projections/project-events.js';
import { PROJECTION_NAMES, type ProjectionName } from '../projections/projection-names.js';
import { queryTeamActivity } from '../projections/team-query.js';
import type { AnalyticsDriver } from './analytics-driver.js';
import type { IngestLogOptions } from './ingest-progress.js';
import { OperationQueue } from './operation-queue.js';
import { applyResult, applyStream, emptyTotals, ingestLogs } from './store-ingest.js';
import {
  changedProjections,
  identityChange,
  META_IDENTITY,
  META_REBUILD,
  META_VERSIONS,
  type ProjectionVersions,
} from './store-meta.js';
import { type RebuildContext, rebuildAll, rebuildSome } from './store-rebuild.js';

/** Default of {@link CreateAnalyticsStoreOptions.batchSize}. */
export const DEFAULT_STORE_BATCH_SIZE = 2500;

/** Options of {@link createAnalyticsStore}. */
export interface CreateAnalyticsStoreOptions {
  /** The session logs that `ingestLog` reads and `rebuild` rebuilds from. */
  logsDir: string;
  /** Events written per transaction. Default 2500. */
  batchSize?: number;
  /** Price table for costs when a query passes none. Default `DEFAULT_PRICES`. */
  prices?: PriceTable;
  /** Projection versions to build with (default: core's). Tests raise one to see the rebuild. */
  projectionVersions?: Partial<Record<ProjectionName, number>>;
  /**
   * Whose the local events are (`config.identity`): the owner of every row projected from an event
   * without `meta.origin`. Default `UNKNOWN_OWNER` (`unknown` / `unknown`).
   */
  identity?: EventOwner;
}

/** The store `createAnalyticsStore` returns: every extra of `AnalyticsStore` it can offer is there. */
export interface DriverAnalyticsStore extends AnalyticsStore {
  /** The session logs it ingests and rebuilds from. */
  readonly logsDir: string;
  /** Applies what is new in the log folder (default: the store's); `options.onProgress` hears of each batch. */
  ingestLog(logsDir?: string, options?: IngestLogOptions): Promise<IngestResult>;
}

class GenericAnalyticsStore implements DriverAnalyticsStore {
  readonly name: string;
  readonly capabilities: AnalyticsStoreCapabilities;
  readonly logsDir: string;
  readonly status?: () => Promise<AnalyticsStoreStatus>;
  private readonly queue: OperationQueue;
  private readonly batchSize: number;
  private readonly prices: PriceTable;
  private readonly versions: ProjectionVersions;
  private readonly identity: EventOwner | undefined;

  constructor(
    private readonly driver: AnalyticsDriver,
    options: CreateAnalyticsStoreOptions,
  ) {
    this.name = driver.name;
    this.logsDir = options.logsDir;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_STORE_BATCH_SIZE);
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.identity = options.identity;
    this.versions = { ...projectionVersions(), ...options.projectionVersions };
    this.queue = new OperationQueue(driver.packageName, driver.location, driver.mapError?.bind(driver));
    this.capabilities = Object.freeze({
      ingestLog: true,
      status: driver.counts !== undefined,
      ...driver.capabilities,
    });
    if (driver.counts) this.status = () => this.queue.run('read', () => this.readStatus());
  }

  private get rebuildContext(): RebuildContext {
    return {
      driver: this.driver,
      logsDir: this.logsDir,
      batchSize: this.batchSize,
      versions: this.versions,
      identity: this.identity,
    };
  }

  /**
   * Records the projection versions (and identity) of a new store, or rebuilds the projections
   * whose version changed (all of them when the identity changed).
   */
  init(): Promise<void> {
    return this.queue.run('open', async () => {
      const stored = await this.driver.readMeta<Partial<ProjectionVersions>>(META_VERSIONS);
      const identity = this.identity;
      const storedIdentity = identity ? await this.driver.readMeta<EventOwner>(META_IDENTITY) : undefined;
      const recordIdentity = async () => {
        if (identity)
          await this.driver.transaction(async () => this.driver.writeMeta(META_IDENTITY, identity));
      };
      if (!stored) {
        await this.driver.transaction(async () => this.driver.writeMeta(META_VERSIONS, this.versions));
        await recordIdentity();
        return;
      }
      const versions = changedProjections(stored, this.versions);
      const moved = identity ? identityChange(storedIdentity, identity) : undefined;
      if (moved) await rebuildSome(this.rebuildContext, [...PROJECTION_NAMES], moved);
      else if (versions.changed.length > 0)
        await rebuildSome(this.rebuildContext, versions.changed, versions.reason);
      if (identity && (moved || !storedIdentity)) await recordIdentity();
    });
  }

  apply(events: Iterable<AnySatEvent> | AsyncIterable<AnySatEvent>): Promise<ApplyResult> {
    return this.queue.run('write to', async () => {
      const totals = emptyTotals();
      await applyStream(this.driver, events, { batchSize: this.batchSize, identity: this.identity }, totals);
      return applyResult(totals);
    });
  }

  ingestLog(logsDir: string = this.logsDir, options: IngestLogOptions = {}): Promise<IngestResult> {
    return this.queue.run('write to', () =>
      ingestLogs(
        this.driver,
        logsDir,
        { batchSize: this.batchSize, identity: this.identity },
        false,
        options,
      ),
    );
  }

  rebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
    return this.queue.run('rebuild', () =>
      options.projections
        ? rebuildSome(this.rebuildContext, [...options.projections], 'requested')
        : rebuildAll(this.rebuildContext),
    );
  }

  agentPerformance(query: AnalyticsQuery = {}): Promise<AgentPerformance> {
    return this.read(() => queryAgentPerformance(this.driver.reader, query, query.prices ?? this.prices));
  }

  toolEffectiveness(query: AnalyticsQuery = {}): Promise<ToolEffectiveness> {
    return this.read(() => queryToolEffectiveness(this.driver.reader, query));
  }

  errorPatterns(query: AnalyticsQuery = {}): Promise<ErrorPatterns> {
    return this.read(() => queryErrorPatterns(this.driver.reader, query));
  }

  sessionSummary(query: AnalyticsQuery = {}): Promise<SessionSummary | null> {
    return this.read(() => querySessionSummary(this.driver.reader, query, query.prices ?? this.prices));
  }

  costAnalysis(query: AnalyticsQuery = {}): Promise<CostAnalysis> {
    return this.read(() => queryCostAnalysis(this.driver.reader, query, query.prices ?? this.prices));
  }

  team(query: AnalyticsQuery = {}): Promise<TeamActivity> {
    return this.read(() => queryTeamActivity(this.driver.reader, query, query.prices ?? this.prices));
  }

  close(): Promise<void> {
    return this.queue.close(async () => this.driver.close());
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run('read', fn);
  }

  private async readStatus(): Promise<AnalyticsStoreStatus> {
    const counts = await this.driver.counts!();
    const stored = await this.driver.readMeta<Partial<ProjectionVersions>>(META_VERSIONS);
    return {
      location: this.driver.location,
      schemaVersion: counts.schemaVersion,
      projections: { ...this.versions, ...stored },
      sessions: counts.sessions,
      events: counts.events,
      lastRebuild: (await this.driver.readMeta<AnalyticsStoreStatus['lastRebuild']>(META_REBUILD)) ?? null,
    };
  }
}

/**
 * Builds an analytics store on a driver: one operation at a time, events applied in batches of
 * `batchSize` (each in one transaction with its sessions' checkpoints, duplicates by id skipped),
 * `ingestLog` reading each session's log from after its checkpoint, full and partial `rebuild`
 * from the log, and the five queries on the driver's reader. Before it resolves it records the
 * projection versions of a new store, or rebuilds the projections whose version changed.
 * The driver is migrated already; `close()` closes it.
 *
 * @example
 * const store = await createAnalyticsStore(driver, { logsDir: config.paths.logs, prices: config.prices });
 * await store.ingestLog();
 * const { agents } = await store.agentPerformance({ days: 7 });
 */
export async function createAnalyticsStore(
  driver: AnalyticsDriver,
  options: CreateAnalyticsStoreOptions,
): Promise<DriverAnalyticsStore> {
  const store = new GenericAnalyticsStore(driver, options);
  await store.init();
  return store;
}
