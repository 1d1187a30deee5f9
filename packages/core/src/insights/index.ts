/**
 * Insights over the analytics store and the log: recurring errors and what resolved them,
 * anomalies against the user's own history, recommendations, and a review of a phase.
 */
export {
  type Anomaly,
  type AnomalyReport,
  type DetectAnomaliesOptions,
  detectAnomalies,
  type SkippedMetric,
} from './anomalies.js';
export { type CheaperModelRow, cheaperModelRows, DEFAULT_CHEAPER_MODEL } from './cheaper-model.js';
export {
  type DigestFailurePair,
  type DigestTaskRun,
  FAIL_TOGETHER_EVENTS,
  IDLE_CAP_MS,
} from './digest-activity.js';
export {
  digestCacheDir,
  type ReadDigestsOptions,
  type RefreshDigestCacheResult,
  readSessionDigests,
  refreshDigestCache,
} from './digest-cache.js';
export {
  type CollectHistoryOptions,
  collectHistory,
  type MetricHistory,
  type MetricPoint,
  sessionMetrics,
} from './metric-history.js';
export { type Recommendations, type RecommendInputs, recommend } from './recommend.js';
export type { Recommendation } from './recommendation-rules.js';
export {
  findRecurringErrors,
  type RecurringError,
  type RecurringErrorOptions,
  type RecurringErrors,
} from './recurring-errors.js';
export {
  type Headline,
  type PhaseReview,
  type ReviewCost,
  type ReviewOptions,
  reviewPhase,
} from './review-phase.js';
export type { ReviewScope } from './review-scope.js';
export type { DoneFigures, SessionSeriesPoint } from './review-sections.js';
export type { Baseline } from './robust-stats.js';
export {
  type ContextLimitHit,
  DIGEST_VERSION,
  type DigestAgentRuns,
  type DigestError,
  type DigestToolCalls,
  type DigestUsage,
  digestSession,
  type ResolvingStep,
  type SessionDigest,
} from './session-digest.js';
