export type {
  AnalyticsDriver,
  AnalyticsDriverCapabilities,
  AnalyticsDriverCounts,
  MaybePromise,
} from './analytics-driver.js';
export {
  type CreateAnalyticsStoreOptions,
  createAnalyticsStore,
  DEFAULT_STORE_BATCH_SIZE,
  type DriverAnalyticsStore,
} from './create-analytics-store.js';
export type { IngestLogOptions, IngestProgress } from './ingest-progress.js';
