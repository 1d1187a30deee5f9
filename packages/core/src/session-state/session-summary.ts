import type { TokenCounts } from '../events/payloads.js';
import { contextWindowFor, DEFAULT_PRICES, type PriceTable, priceUsage } from '../pricing/prices.js';
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
  byModel: Record<string, ModelTokens>;
  /** Responses known only from a parent's Task/Agent result (the sub-agent's transcript is missing). */
  estimatedResponses: number;
  /** The latest main-agent API response against the model's context window. */
  context?: { model: string; tokens: number; window: number; percent: number; windowKnown: boolean };
  agents: { invocations: number; running: number; completed: number; failed: number };
  todos: { total: number; completed: number; inProgress: number; pending: number };
  filesChanged: number;
  openErrors: number;
  failedValidations: number;
  decisions: number;
}

function addBucket(into: ModelTokens, b: TokenBucket): void {
  into.tokens.input += b.input;
  into.tokens.output += b.output;
  into.tokens.cacheCreation += b.cacheCreation;
  into.tokens.cacheRead += b.cacheRead;
  into.cacheCreation1h += b.cacheCreation1h;
  into.responses += b.responses;
}

function emptyModel(): ModelTokens {
  return {
    tokens: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
    cacheCreation1h: 0,
    responses: 0,
  };
}

/**
 * The tokens a session's state counts, by model: transcript responses, plus the `task_result`
 * estimates of agents that have no transcript response.
 */
export function stateTokensByModel(state: SessionState): {
  byModel: Record<string, ModelTokens>;
  estimatedResponses: number;
} {
  const byModel: Record<string, ModelTokens> = {};
  const slot = (model: string) => {
    byModel[model] ??= emptyModel();
    return byModel[model];
  };
  for (const [model, bucket] of Object.entries(state.tokens.byModel)) addBucket(slot(model), bucket);
  let estimatedResponses = 0;
  const withTranscript = new Set(state.tokens.transcriptAgents);
  for (const [agentId, models] of Object.entries(state.tokens.estimates)) {
    if (withTranscript.has(agentId)) continue;
    for (const [model, bucket] of Object.entries(models)) {
      addBucket(slot(model), bucket);
      estimatedResponses += bucket.responses;
    }
  }
  return { byModel, estimatedResponses };
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
  for (const m of Object.values(stateTokensByModel(state).byModel))
    total += m.tokens.input + m.tokens.output + m.tokens.cacheCreation;
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
  const { byModel, estimatedResponses } = stateTokensByModel(state);
  const tokens: TokenCounts = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  let cost = 0;
  const unknownModels: string[] = [];
  for (const [model, m] of Object.entries(byModel)) {
    tokens.input += m.tokens.input;
    tokens.output += m.tokens.output;
    tokens.cacheCreation += m.tokens.cacheCreation;
    tokens.cacheRead += m.tokens.cacheRead;
    const priced = priceUsage(model, { ...m.tokens, cacheCreation1h: m.cacheCreation1h }, prices);
    if (priced.cost === undefined) unknownModels.push(model);
    else {
      m.cost = priced.cost;
      cost += priced.cost;
    }
  }
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
    totalTokens: tokens.input + tokens.output + tokens.cacheCreation + tokens.cacheRead,
    newTokens: tokens.input + tokens.output + tokens.cacheCreation,
    cost,
    unknownModels: unknownModels.sort(),
    byModel,
    estimatedResponses,
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
