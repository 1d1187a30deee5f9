import { SatError } from '../errors.js';
import type { PriceTable } from '../pricing/prices.js';
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
import { collectHistory, readSessionDigests } from './metric-history.js';
import { recommend } from './recommend.js';
import type { Recommendation } from './recommendation-rules.js';
import { findRecurringErrors, type RecurringError, type RecurringErrorOptions } from './recurring-errors.js';
import { previousScope, type ResolvedScope, type ReviewScope, resolveScope } from './review-scope.js';
import type { SessionDigest } from './session-digest.js';

/** Options of {@link reviewPhase}. */
export interface ReviewOptions {
  /** The log folder the sessions are read from (for errors in sequence, history and recommendations). */
  logsDir?: string;
  /** Digests already read (instead of `logsDir`): every session of the history, not only the scope's. */
  digests?: readonly SessionDigest[];
  /** Prices. Default the store's for its figures, the bundled table for the rest. */
  prices?: PriceTable;
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

/** Result of {@link reviewPhase}. */
export interface PhaseReview {
  scope: string;
  previous: string | null;
  /** What was done. */
  done: { sessions: number; events: number; toolCalls: number; filesChanged: number; durationMs: number };
  agents: AgentPerformanceRow[];
  tools: Array<ToolStats & { tool: string }>;
  errors: { totals: ErrorStats; patterns: ErrorPatternRow[]; recurring: RecurringError[] };
  cost: Pick<CostAnalysis, 'cost' | 'pricedCost' | 'unpricedModels' | 'tokens' | 'byAgent' | 'byModel'>;
  anomalies: Anomaly[];
  skipped: SkippedMetric[];
  recommendations: Recommendation[];
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

function headlineValues(scope: ResolvedScope, f: Figures): Record<string, number> {
  const uses = f.tools.tools.reduce((sum, t) => sum + t.uses, 0);
  const toolSuccesses = f.tools.tools.reduce((sum, t) => sum + t.successes, 0);
  const runs = f.agents.agents.reduce((sum, a) => sum + a.successes + a.failures, 0);
  const agentSuccesses = f.agents.agents.reduce((sum, a) => sum + a.successes, 0);
  return {
    sessions: scope.sessions.length,
    events: scope.sessions.reduce((sum, d) => sum + d.events, 0),
    toolCalls: uses,
    errors: f.errors.totals.errors,
    errorRate: rate(f.errors.totals.errors, uses),
    toolSuccessRate: rate(toolSuccesses, uses),
    agentSuccessRate: rate(agentSuccesses, runs),
    costUsd: f.cost.pricedCost,
    tokens: f.cost.tokens.total,
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

/**
 * Reviews one phase (or the last N days, or one session): what was done, agent performance, tool
 * effectiveness, errors (the store's patterns and the recurring ones with how they were resolved),
 * cost, anomalies against the user's own history, and recommendations, with each headline figure
 * compared with the previous phase (or period, or session). The figures come from the store's
 * queries (so any `AnalyticsStore` works); errors in sequence, history and recommendations from the
 * sessions' events in the log (`logsDir`) or digests given.
 *
 * @example
 * const review = await reviewPhase(store, { phase: 'implement' }, { logsDir: '.claude/logs' });
 * review.headlines.costUsd; // { current: 41.2, previous: 30.5, change: 10.7, changePct: 0.35, direction: 'up' }
 */
export async function reviewPhase(
  store: AnalyticsStore,
  scope: ReviewScope,
  options: ReviewOptions = {},
): Promise<PhaseReview> {
  if (!options.digests && !options.logsDir)
    throw new SatError(
      'USAGE',
      '[core] reviewPhase needs the sessions: pass options.logsDir (the log folder) or options.digests',
      {
        details: { scope },
      },
    );
  const digests = options.digests ? [...options.digests] : await readSessionDigests(options.logsDir!);
  digests.sort((a, b) => a.startedAt - b.startedAt || a.session.localeCompare(b.session));
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const current = resolveScope(digests, scope, now);
  const previous = previousScope(digests, scope, now);
  const figures = await storeFigures(store, current, options.prices);
  const before = previous ? await storeFigures(store, previous, options.prices) : null;
  const recurring = findRecurringErrors(current.sessions, options.recurring).recurring;
  const history = await collectHistory(digests, options.prices ? { prices: options.prices } : {});
  const { anomalies, skipped } = detectAnomalies(history, {
    ...options.anomalies,
    sessions: current.sessions.map((d) => d.session),
    days: current.days,
  });
  const { recommendations } = recommend({
    digests: current.sessions,
    recurring,
    ...(options.prices ? { prices: options.prices } : {}),
  });
  const { cost, pricedCost, unpricedModels, tokens, byAgent, byModel } = figures.cost;
  return {
    scope: current.label,
    previous: previous?.label ?? null,
    done: {
      sessions: current.sessions.length,
      events: current.sessions.reduce((sum, d) => sum + d.events, 0),
      toolCalls: current.sessions.reduce((sum, d) => sum + d.toolCalls, 0),
      filesChanged: current.sessions.reduce((sum, d) => sum + d.filesChanged, 0),
      durationMs: current.sessions.reduce((sum, d) => sum + (d.endedAt - d.startedAt), 0),
    },
    agents: figures.agents.agents,
    tools: figures.tools.tools,
    errors: {
      totals: figures.errors.totals,
      patterns: figures.errors.byFingerprint.slice(0, options.maxPatterns ?? 20),
      recurring,
    },
    cost: { cost, pricedCost, unpricedModels, tokens, byAgent, byModel },
    anomalies,
    skipped,
    recommendations,
    headlines: compare(
      headlineValues(current, figures),
      previous && before ? headlineValues(previous, before) : null,
    ),
  };
}
