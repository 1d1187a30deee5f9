/**
 * Projections of the event log and the analytics store interface: pure, versioned functions from
 * events to rows and rollups, the five analytics queries written once for every store, and the
 * `AnalyticsStore` interface that store-sqlite and store-mongo implement. No database code.
 *
 * @module @sat/core/projections
 */
export {
  type AnalyticsFilters,
  DEFAULT_DAYS,
  type ResolvedFilters,
  resolveFilters,
} from './analytics-filters.js';
export {
  type AggregateFilter,
  type AggregateRequest,
  type AggregateRow,
  type AnalyticsReader,
  queryAgentPerformance,
  queryCostAnalysis,
  queryErrorPatterns,
  querySessionSummary,
  queryToolEffectiveness,
  type SessionStartCount,
} from './analytics-queries.js';
export type {
  AgentPerformance,
  AgentPerformanceRow,
  CostAnalysis,
  CostFigures,
  CostGroup,
  DurationFigures,
  ErrorPatternRow,
  ErrorPatterns,
  ErrorStats,
  FileSummary,
  ModelCost,
  SessionSummary,
  TeamActivity,
  TeamActivityRow,
  TokenFigures,
  ToolEffectiveness,
  ToolStats,
} from './analytics-results.js';
export type {
  AnalyticsQuery,
  AnalyticsStore,
  AnalyticsStoreCapabilities,
  AnalyticsStoreStatus,
  ApplyResult,
  IngestResult,
  RebuildOptions,
  RebuildResult,
} from './analytics-store.js';
export {
  addToHistogram,
  bucketValue,
  durationBucket,
  HISTOGRAM_BUCKETS_PER_DOUBLING,
  HISTOGRAM_MAX_BUCKET,
  HISTOGRAM_RELATIVE_ERROR,
  type Histogram,
  histogramPercentile,
  mergeHistograms,
} from './duration-histogram.js';
export { errorFingerprint, MAX_PATTERN_CHARS, normalizeErrorMessage } from './error-fingerprint.js';
export {
  groupByOwner,
  OWNER_DIMENSIONS,
  type OwnerDimension,
  type OwnerGroup,
  type OwnerGroups,
} from './owner-groups.js';
export { MAX_PARAMETER_SUMMARY, summarizeParameters } from './parameter-summary.js';
export {
  DAY_MS,
  dayOf,
  newSessionState,
  PROJECTIONS,
  type ProjectEventsOptions,
  projectEvents,
  projectionVersions,
  UNKNOWN_OWNER,
} from './project-events.js';
export { type Projection, ProjectionBatch } from './projection-batch.js';
export { NO_PHASE, PROJECTION_NAMES, type ProjectionName } from './projection-names.js';
export type {
  CountedResponse,
  DecisionRow,
  ErrorRow,
  EventContext,
  EventPosition,
  EventRowBase,
  FileOperationRow,
  FingerprintRow,
  InvocationRow,
  RowOwner,
  SessionProjectionState,
  SessionRow,
  ToolUseRow,
  UsageTokens,
  ValidationRow,
} from './projection-rows.js';
export {
  AGGREGATE_SOURCES,
  type AggregateSource,
  type AggregateSourceName,
  chooseSource,
  type Dimension,
  type DimensionValue,
  type DurationMeasures,
  type ErrorMeasures,
  emptyMeasures,
  type FamilyMeasures,
  type InvocationMeasures,
  MEASURE_FAMILIES,
  type MeasureFamily,
  type MeasureKind,
  mergeMeasures,
  ROLLUPS,
  RollupDeltas,
  type RollupEntry,
  type RollupFamilies,
  type RollupName,
  type ToolMeasures,
  type UsageMeasures,
} from './rollups.js';
export { queryTeamActivity } from './team-query.js';
export {
  daysOfWeeks,
  foldTeamActivity,
  isoWeek,
  type TeamWeekRow,
  type TeamWeeks,
  teamWeeks,
} from './team-weeks.js';
