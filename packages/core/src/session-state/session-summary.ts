import type { TokenCounts } from '../events/payloads.js';
import { contextWindowFor, DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import type { UsageFact, UsageSource } from '../usage/usage-facts.js';
import { UsageLedger } from '../usage/usage-ledger.js';
import { type AgentUsage, type UsageReport, usageReport } from '../usage/usage-report.js';
import type { SessionState, TokenBucket } from './session-state.js';

/** Tokens and cost of one model in a session. */
export interface ModelTokens {
  tokens: TokenCounts;
  cacheCreation1h: number;
  responses: number;
  /** USD; undefined when the model has no price (never priced at 0). */
  cost?: number;
}

/** What a {@link SessionState} amounts to, with costs computed now from a price table. */
export interface SessionStateSummary {
  session: string;
  ended: boolean;
  start?: string;
  lastEventAt?: string;
  events: number;
  lastSeq: number;
  /** All tokens counted (sub-agents included; `task_result` estimates only while their transcript is missing). */
  tokens: TokenCounts;
  /** The part of `tokens.cacheCreation` written to the 1-hour cache. */
  cacheCreation1h: number;
  /** input + output + cacheCreation + cacheRead. */
  totalTokens: number;
  /**
   * input + output + cacheCreation: the tokens that were new to the model. Cache reads are left
   * out because every call re-reads the whole cached context. This is what the snapshot trigger
   * `snapshots.everyTokens` counts.
   */
  newTokens: number;
  /** USD of the models that have a price. */
  cost: number;
  /** Models with no price: their tokens are counted, not priced. */
  unknownModels: string[];
  /** Tokens of `unknownModels`. */
  unpricedTokens: number;
  byModel: Record<string, ModelTokens>;
  /** Tokens and cost per agent, by model (as in `sessionUsage`). */
  byAgent: Record<string, AgentUsage>;
  /** Responses known only from a parent's Task/Agent result (the sub-agent's transcript is missing). */
  estimatedResponses: number;
  /** Such estimates left out because the sub-agent's own transcript arrived. */
  replacedEstimates: number;
  /** The date of the bundled prices. */
  pricesAsOf: string;
  /** The latest main-agent API response against the model's context window. */
  context?: { model: string; tokens: number; window: number; percent: number; windowKnown: boolean };
  agents: { invocations: number; running: number; completed: number; failed: number };
  todos: { total: number; completed: number; inProgress: number; pending: number };
  filesChanged: number;
  openErrors: number;
  failedValidations: number;
  decisions: number;
}

/**
 * The usage facts a session's state holds, in a {@link UsageLedger}: its transcript buckets by
 * agent and model, its `task_result` estimates, and the agent ids that have a transcript (whose
 * estimates the ledger leaves out); the transcript responses joined by Claude Code's record of
 * their request, with its cost; Claude Code's records no transcript response joined.
 *
 * @example
 * const report = usageReport(stateUsageLedger(state).tally(), { prices: config.prices });
 */
export function stateUsageLedger(state: SessionState): UsageLedger {
  const ledger = new UsageLedger();
  for (const [agent, models] of Object.entries(state.tokens.byAgent))
    for (const [model, bucket] of Object.entries(models))
      ledger.add(bucketFact(agent, model, bucket, 'transcript'));
  for (const [agentId, agents] of Object.entries(state.tokens.estimates))
    for (const [agent, models] of Object.entries(agents))
      for (const [model, bucket] of Object.entries(models)) {
        const fact = bucketFact(agent, model, bucket, 'task_result');
        if (agentId !== '-') fact.agentId = agentId;
        ledger.add(fact);
      }
  for (const agentId of state.tokens.transcriptAgents) ledger.noteTranscript(agentId);
  for (const [source, byAgent] of [
    ['transcript', state.tokens.costed],
    ['otel', state.tokens.otelOnly],
  ] as const)
    for (const [agent, models] of Object.entries(byAgent))
      for (const [model, { costUsd, ...bucket }] of Object.entries(models))
        ledger.add({ ...bucketFact(agent, model, bucket, source), costUsd });
  for (const [requestId, model, agent, input, output, cacheCreation, cacheRead, costUsd] of state.tokens
    .otelPending) {
    const fact: UsageFact = {
      agent,
      model,
      source: 'otel',
      requestId,
      key: requestId,
      tokens: { input, output, cacheCreation, cacheCreation1h: 0, cacheRead },
      responses: 1,
    };
    if (costUsd !== null) fact.costUsd = costUsd;
    ledger.add(fact);
  }
  return ledger;
}

function bucketFact(agent: string, model: string, b: TokenBucket, source: UsageSource): UsageFact {
  const { responses, ...tokens } = b;
  return { agent, model, source, tokens, responses };
}

/**
 * A session state's token usage and cost: the same {@link UsageReport} as `sessionUsage` gives by
 * replaying the log, priced now with `prices` (default the bundled table).
 *
 * @example
 * const { cost, byAgent, unpricedTokens } = stateUsage(state, config.prices);
 */
export function stateUsage(state: SessionState, prices: PriceTable = DEFAULT_PRICES): UsageReport {
  return usageReport(stateUsageLedger(state).tally(), { prices });
}

/**
 * The tokens a session's state counts, by model: transcript responses, plus the `task_result`
 * estimates of agents that have no transcript response. Costs are not set (see {@link stateUsage}).
 *
 * @example
 * const { byModel, estimatedResponses } = stateTokensByModel(state);
 */
export function stateTokensByModel(state: SessionState): {
  byModel: Record<string, ModelTokens>;
  estimatedResponses: number;
} {
  const usage = stateUsage(state);
  const byModel = modelTokens(usage, false);
  return { byModel, estimatedResponses: usage.estimatedResponses ?? 0 };
}

function modelTokens(usage: UsageReport, withCost: boolean): Record<string, ModelTokens> {
  const byModel: Record<string, ModelTokens> = {};
  for (const [model, m] of Object.entries(usage.byModel)) {
    const entry: ModelTokens = {
      tokens: m.tokens,
      cacheCreation1h: m.cacheCreation1h,
      responses: m.apiResponses,
    };
    if (withCost && m.cost !== undefined) entry.cost = m.cost;
    byModel[model] = entry;
  }
  return byModel;
}

/**
 * input + output + cacheCreation of everything a state counts (see
 * {@link SessionStateSummary.newTokens}).
 *
 * @example
 * newTokensOf(state) - lastSnapshot.counters.tokens >= 20_000 // time for a snapshot
 */
export function newTokensOf(state: SessionState): number {
  let total = 0;
  for (const { tokens: t } of stateUsageLedger(state).tally().counted)
    total += t.input + t.output + t.cacheCreation;
  return total;
}

/**
 * Sums up a session's state: tokens and cost by model (priced now with `prices`, default the
 * bundled table), context fill, agents, todos, files, open errors.
 *
 * @example
 * const summary = summarizeSessionState(state, config.prices);
 * console.log(summary.cost.toFixed(4), summary.context?.percent);
 */
export function summarizeSessionState(
  state: SessionState,
  prices: PriceTable = DEFAULT_PRICES,
): SessionStateSummary {
  const usage = stateUsage(state, prices);
  const byModel = modelTokens(usage, true);
  const { tokens } = usage;
  let completed = 0;
  let failed = 0;
  for (const t of Object.values(state.agents.byAgent)) {
    completed += t.completed;
    failed += t.failed;
  }
  const todos = { total: 0, completed: 0, inProgress: 0, pending: 0 };
  for (const list of Object.values(state.todos)) {
    for (const item of list.items) {
      todos.total++;
      if (item.status === 'completed') todos.completed++;
      else if (item.status === 'in_progress') todos.inProgress++;
      else todos.pending++;
    }
  }
  const summary: SessionStateSummary = {
    session: state.session,
    ended: state.ended,
    events: state.events,
    lastSeq: state.lastSeq,
    tokens,
    cacheCreation1h: usage.cacheCreation1h,
    totalTokens: usage.totalTokens,
    newTokens: tokens.input + tokens.output + tokens.cacheCreation,
    cost: usage.cost,
    unknownModels: usage.unknownModels,
    unpricedTokens: usage.unpricedTokens,
    byModel,
    byAgent: usage.byAgent,
    estimatedResponses: usage.estimatedResponses ?? 0,
    replacedEstimates: usage.replacedEstimates ?? 0,
    pricesAsOf: usage.pricesAsOf,
    agents: {
      invocations: state.agents.invocations,
      running: state.agents.running.length + state.agents.runningDropped,
      completed,
      failed,
    },
    todos,
    filesChanged: Object.keys(state.files).length,
    openErrors: state.errors.open.length + state.errors.openDropped,
    failedValidations: state.validations.failed.length,
    decisions: state.decisions.count,
  };
  if (state.start !== undefined) summary.start = state.start;
  if (state.lastEventAt !== undefined) summary.lastEventAt = state.lastEventAt;
  if (state.context) {
    const window = contextWindowFor(state.context.model, prices);
    summary.context = {
      model: state.context.model,
      tokens: state.context.tokens,
      window: window.tokens,
      percent: Math.round((state.context.tokens / window.tokens) * 1000) / 10,
      windowKnown: window.known,
    };
  }
  return summary;
}
