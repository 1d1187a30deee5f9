import { SatError } from '../errors.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import type {
  AgentPerformanceRow,
  CostAnalysis,
  ErrorPatternRow,
  ErrorStats,
  ToolStats,
} from '../projections/analytics-results.js';
import type { AnalyticsStore } from '../projections/analytics-store.js';
import {
  type Anomaly,
  type DetectAnomaliesOptions,
  detectAnomalies,
  type SkippedMetric,
} from './anomalies.js';
import { type CheaperModelRow, cheaperModelRows, DEFAULT_CHEAPER_MODEL } from './cheaper-model.js';
import { readSessionDigests } from './digest-cache.js';
import { collectHistory } from './metric-history.js';
import { recommend } from './recommend.js';
import type { Recommendation } from './recommendation-rules.js';
import { findRecurringErrors, type RecurringError, type RecurringErrorOptions } from './recurring-errors.js';
import { previousScope, type ResolvedScope, type ReviewScope, resolveScope } from './review-scope.js';
import {
  cacheFigures,
  costByTask,
  type DoneFigures,
  doneFigures,
  failingTogether,
  type SessionSeriesPoint,
  seriesOf,
  slowestAgents,
  slowestTools,
} from './review-sections.js';
import type { SessionDigest } from './session-digest.js';

/** Options of {@link reviewPhase}. */
export interface ReviewOptions {
  /** The log folder the sessions are read from (for errors in sequence, history and recommendations). */
  logsDir?: string;
  /**
   * A folder of cached session digests (see `readSessionDigests`): sessions whose log is unchanged
   * are not read again. Kept warm by `refreshDigestCache` after an ingest.
   */
  cacheDir?: string;
  /** Digests already read (instead of `logsDir`): every session of the history, not only the scope's. */
  digests?: readonly SessionDigest[];
  /**
   * Prices. Default the store's for its figures, the bundled table for the rest: pass the table the
   * store uses (the configured one) so that both agree.
   */
  prices?: PriceTable;
  /** The model sub-agent work is priced on for `cost.cheaperModel` and the model-swap recommendation. Default `claude-haiku-4-5`. */
  cheaperModel?: string;
  /** "Now" of a `days` scope. Default the current time. */
  now?: Date | string | number;
  anomalies?: DetectAnomaliesOptions;
  recurring?: RecurringErrorOptions;
  /** Most error patterns listed. Default 20. */
  maxPatterns?: number;
}

/** A headline figure against the previous scope. */
export interface Headline {
  current: number;
  /** Null when there is no previous scope. */
  previous: number | null;
  change: number | null;
  /** change / previous; null when previous is null or 0. */
  changePct: number | null;
  direction: 'up' | 'down' | 'same' | null;
}

/** Cost of a review's scope: the store's figures, and what the digests add (per session, task, cache, cheaper model). */
export interface ReviewCost
  extends Pick<CostAnalysis, 'cost' | 'pricedCost' | 'unpricedModels' | 'tokens' | 'byAgent' | 'byModel'> {
  /** Per session of the scope, oldest first: its usage within the scope. Sums to `pricedCost` and `tokens.total`. */
  bySession: Array<{ session: string; startedAt: string; costUsd: number; tokens: number }>;
  /** Per sub-agent task (the description of the Task/Agent call that started it); empty when no run had one. */
  byTask: Array<{ task: string; agent: string; costUsd: number; tokens: number }>;
  /** Cache writes and reads: tokens, USD, and their share of `pricedCost`. */
  cache: {
    writeTokens: number;
    readTokens: number;
    writeUsd: number;
    readUsd: number;
    writeShare: number;
    readShare: number;
  };
  /** What the sub-agent work that succeeded would have cost on `ReviewOptions.cheaperModel`, most saved first. */
  cheaperModel: CheaperModelRow[];
}

/** Result of {@link reviewPhase}. */
export interface PhaseReview {
  scope: string;
  previous: string | null;
  /** The ids of the sessions in scope, oldest first. */
  sessions: string[];
  /** What was done. */
  done: DoneFigures;
  agents: AgentPerformanceRow[];
  /** The 5 agents slowest at p95 (of those with >= 3 timed runs; `runs` counts the timed ones). */
  slowestAgents: Array<{ agent: string; runs: number; p50Ms: number | null; p95Ms: number | null }>;
  tools: Array<ToolStats & { tool: string }>;
  /** The 5 tools slowest at p95 (of those with >= 5 timed calls). */
  slowestTools: Array<{ tool: string; uses: number; p50Ms: number | null; p95Ms: number | null }>;
  /**
   * Pairs of tools whose failures fall in the same turn (after one `user_prompt`, before the next
   * prompt or `turn_end`) or at most 10 events apart, in >= 2 sessions: `sessions` they did so in,
   * `together` the times in all.
   */
  failingTogether: Array<{ tools: [string, string]; sessions: number; together: number }>;
  errors: { totals: ErrorStats; patterns: ErrorPatternRow[]; recurring: RecurringError[] };
  cost: ReviewCost;
  /** Tokens, cost and errors per day and per session, for the charts. */
  series: {
    byDay: Array<{ day: string; sessions: number; tokens: number; costUsd: number; errors: number }>;
    bySession: SessionSeriesPoint[];
  };
  anomalies: Anomaly[];
  skipped: SkippedMetric[];
  recommendations: Recommendation[];
  /**
   * Every headline figure against the previous scope: sessions, events, toolCalls, errors,
   * errorRate, toolSuccessRate, agentSuccessRate, costUsd, tokens, activeMs, tasksCompleted,
   * filesChanged, cacheReadShare, recurringErrors, anomalies.
   */
  headlines: Record<string, Headline>;
}

async function storeFigures(store: AnalyticsStore, scope: ResolvedScope, prices: PriceTable | undefined) {
  const query = prices ? { ...scope.query, prices } : scope.query;
  const [agents, tools, errors, cost] = await Promise.all([
    store.agentPerformance(query),
    store.toolEffectiveness(query),
    store.errorPatterns(query),
    store.costAnalysis(query),
  ]);
  return { agents, tools, errors, cost };
}

type Figures = Awaited<ReturnType<typeof storeFigures>>;

function rate(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/** What one scope's headlines are computed from. */
interface ScopeResult {
  scope: ResolvedScope;
  figures: Figures;
  done: DoneFigures;
  recurring: RecurringError[];
  anomalies: Anomaly[];
  skipped: SkippedMetric[];
  cacheReadShare: number;
}

function headlineValues({ scope, figures: f, done, recurring, anomalies, cacheReadShare }: ScopeResult) {
  const uses = f.tools.tools.reduce((sum, t) => sum + t.uses, 0);
  const toolSuccesses = f.tools.tools.reduce((sum, t) => sum + t.successes, 0);
  const runs = f.agents.agents.reduce((sum, a) => sum + a.successes + a.failures, 0);
  const agentSuccesses = f.agents.agents.reduce((sum, a) => sum + a.successes, 0);
  return {
    sessions: scope.sessions.length,
    events: done.events,
    toolCalls: uses,
    errors: f.errors.totals.errors,
    errorRate: rate(f.errors.totals.errors, uses),
    toolSuccessRate: rate(toolSuccesses, uses),
    agentSuccessRate: rate(agentSuccesses, runs),
    costUsd: f.cost.pricedCost,
    tokens: f.cost.tokens.total,
    activeMs: done.activeMs,
    tasksCompleted: done.tasksCompleted,
    filesChanged: done.filesChanged,
    cacheReadShare,
    recurringErrors: recurring.length,
    anomalies: anomalies.length,
  };
}

function compare(
  current: Record<string, number>,
  previous: Record<string, number> | null,
): Record<string, Headline> {
  const out: Record<string, Headline> = {};
  for (const [name, value] of Object.entries(current)) {
    const before = previous?.[name] ?? null;
    const change = before === null ? null : value - before;
    out[name] = {
      current: value,
      previous: before,
      change,
      changePct: before === null || before === 0 || change === null ? null : change / before,
      direction: change === null ? null : change > 0 ? 'up' : change < 0 ? 'down' : 'same',
    };
  }
  return out;
}

/** The scope's sessions with only their errors in the scope (its phase or days). */
function scopedErrors(scope: ResolvedScope): SessionDigest[] {
  return scope.sessions.map((d) => ({
    ...d,
    errors: d.errors.filter((e) => scope.keeps(e.phase, new Date(e.at).toISOString().slice(0, 10))),
  }));
}

interface Shared {
  store: AnalyticsStore;
  history: Awaited<ReturnType<typeof collectHistory>>;
  options: ReviewOptions;
  prices: PriceTable;
}

async function reviewScope(scope: ResolvedScope, shared: Shared): Promise<ScopeResult> {
  const { options } = shared;
  const figures = await storeFigures(shared.store, scope, options.prices);
  const recurring = findRecurringErrors(scopedErrors(scope), options.recurring).recurring;
  const { anomalies, skipped } = detectAnomalies(shared.history, {
    ...options.anomalies,
    sessions: scope.sessions.map((d) => d.session),
    days: scope.days,
  });
  const cache = cacheFigures(figures.cost.byModel, figures.cost.pricedCost, shared.prices);
  return {
    scope,
    figures,
    done: doneFigures(scope.sessions),
    recurring,
    anomalies,
    skipped,
    cacheReadShare: cache.readShare,
  };
}

async function loadDigests(options: ReviewOptions, scope: ReviewScope): Promise<SessionDigest[]> {
  if (options.digests) return [...options.digests];
  if (!options.logsDir)
    throw new SatError(
      'USAGE',
      '[core] reviewPhase needs the sessions: pass options.logsDir (the log folder) or options.digests',
      { details: { scope } },
    );
  return readSessionDigests(options.logsDir, options.cacheDir ? { cacheDir: options.cacheDir } : {});
}

function costSection(
  current: ScopeResult,
  series: PhaseReview['series'],
  prices: PriceTable,
  options: ReviewOptions,
): ReviewCost {
  const { cost, pricedCost, unpricedModels, tokens, byAgent, byModel } = current.figures.cost;
  return {
    cost,
    pricedCost,
    unpricedModels,
    tokens,
    byAgent,
    byModel,
    bySession: series.bySession.map(({ session, startedAt, costUsd, tokens }) => ({
      session,
      startedAt,
      costUsd,
      tokens,
    })),
    byTask: costByTask(current.scope, prices),
    cache: cacheFigures(byModel, pricedCost, prices),
    cheaperModel: cheaperModelRows(
      current.scope.sessions,
      prices,
      options.cheaperModel ?? DEFAULT_CHEAPER_MODEL,
      current.scope.keeps,
    ),
  };
}

/**
 * Reviews one phase (or the last N days, or one session): what was done, agent performance, tool
 * effectiveness, errors (the store's patterns and the recurring ones with how they were resolved),
 * cost, anomalies against the user's own history, and recommendations, with each headline figure
 * compared with the previous phase (or period, or session). The figures come from the store's
 * queries (so any `AnalyticsStore` works); errors in sequence, history, per-session and per-task
 * figures and recommendations from the sessions' digests (read from `logsDir`, through the digest
 * cache `cacheDir` when given, or passed as `digests`), counted with the same usage model so that
 * `cost.bySession` sums to `cost.pricedCost`.
 *
 * @example
 * const review = await reviewPhase(store, { phase: 'implement' }, { logsDir: '.claude/logs', cacheDir: '.claude/analytics/digests' });
 * review.headlines.costUsd; // { current: 41.2, previous: 30.5, change: 10.7, changePct: 0.35, direction: 'up' }
 */
export async function reviewPhase(
  store: AnalyticsStore,
  scope: ReviewScope,
  options: ReviewOptions = {},
): Promise<PhaseReview> {
  const digests = await loadDigests(options, scope);
  digests.sort((a, b) => a.startedAt - b.startedAt || a.session.localeCompare(b.session));
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const prices = options.prices ?? DEFAULT_PRICES;
  const history = await collectHistory(digests, { prices });
  const shared: Shared = { store, history, options, prices };
  const currentScope = resolveScope(digests, scope, now);
  const previousOf = previousScope(digests, scope, now);
  const [current, previous] = await Promise.all([
    reviewScope(currentScope, shared),
    previousOf ? reviewScope(previousOf, shared) : null,
  ]);
  const { recommendations } = recommend({
    digests: current.scope.sessions,
    recurring: current.recurring,
    prices,
    ...(options.cheaperModel ? { cheaperModel: options.cheaperModel } : {}),
  });
  const series = seriesOf(current.scope, prices);
  const f = current.figures;
  return {
    scope: current.scope.label,
    previous: previous?.scope.label ?? null,
    sessions: current.scope.sessions.map((d) => d.session),
    done: current.done,
    agents: f.agents.agents,
    slowestAgents: slowestAgents(f.agents.agents),
    tools: f.tools.tools,
    slowestTools: slowestTools(f.tools.tools),
    failingTogether: failingTogether(current.scope.sessions),
    errors: {
      totals: f.errors.totals,
      patterns: f.errors.byFingerprint.slice(0, options.maxPatterns ?? 20),
      recurring: current.recurring,
    },
    cost: costSection(current, series, prices, options),
    series,
    anomalies: current.anomalies,
    skipped: current.skipped,
    recommendations,
    headlines: compare(headlineValues(current), previous ? headlineValues(previous) : null),
  };
}
