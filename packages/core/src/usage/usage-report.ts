import type { TokenCounts } from '../events/payloads.js';
import { DEFAULT_PRICES, PRICES_AS_OF, type PriceTable, priceUsage } from '../pricing/prices.js';
import {
  addUsageTokenCounts,
  type UsageFact,
  type UsageTokenCounts,
  zeroUsageTokenCounts,
} from './usage-facts.js';
import type { UsageTally } from './usage-ledger.js';

/**
 * Where a cost comes from: `prices` (the price table), `claude_code` (Claude Code's own `cost_usd`
 * of every response, from its OpenTelemetry records) or `mixed` (some of each).
 */
export type CostSource = 'prices' | 'claude_code' | 'mixed';

/** Usage of one model (overall, or within one agent). */
export interface ModelUsage {
  tokens: TokenCounts;
  /** The part of `tokens.cacheCreation` written to the 1-hour cache (priced at the 1-hour rate). */
  cacheCreation1h: number;
  apiResponses: number;
  /** USD; undefined when the model has no price (it is then listed in `unknownModels`, never priced at 0). */
  cost?: number;
  /** The price table key used; undefined when the model has no price. */
  priceKey?: string;
  /** Whether `cost` is Claude Code's own figure, the price table's or both. */
  costSource: CostSource;
}

/** Usage of one agent (`main` or a sub-agent), by model. */
export interface AgentUsage {
  tokens: TokenCounts;
  /** The part of `tokens.cacheCreation` written to the 1-hour cache. */
  cacheCreation1h: number;
  /** USD of the models that have a price. */
  cost: number;
  /** Models of this agent with no price (their tokens are in `tokens`, not in `cost`). */
  unknownModels: string[];
  /** Tokens of `unknownModels` (input + output + cache writes + cache reads). */
  unpricedTokens: number;
  apiResponses: number;
  models: Record<string, ModelUsage>;
}

/**
 * A session's token usage and cost: the one model every view reads (`sat show`, `sat status`,
 * `sat stats session`, snapshots, handoffs, dashboards). Made by {@link usageReport} from a
 * {@link UsageTally}, whichever path fed the ledger.
 */
export interface UsageReport {
  /** All tokens counted, sub-agents included (`task_result` estimates only while their transcript is missing). */
  tokens: TokenCounts;
  /** The part of `tokens.cacheCreation` written to the 1-hour cache (the rest was written for 5 minutes). */
  cacheCreation1h: number;
  /** input + output + cacheCreation + cacheRead. */
  totalTokens: number;
  /** USD of everything whose model has a price; see `unknownModels` for the rest. */
  cost: number;
  /** Models with no price in the table, by name: their tokens are counted but not priced. */
  unknownModels: string[];
  /** Tokens of `unknownModels`: "N tokens unpriced". */
  unpricedTokens: number;
  /** API responses counted (each once). */
  apiResponses: number;
  /**
   * Responses known only from a parent's Task/Agent result because the sub-agent's own transcript
   * is missing; counted (an estimate: the sub-agent's last call only). Null when the source (an
   * analytics store's sums) does not tell estimates apart: its totals follow the same rule.
   */
  estimatedResponses: number | null;
  /** Such estimates left out because the sub-agent's own transcript was imported; null as above. */
  replacedEstimates: number | null;
  byAgent: Record<string, AgentUsage>;
  byModel: Record<string, ModelUsage>;
  /** The date of the bundled prices (overrides from the config may change some). */
  pricesAsOf: string;
  /** Whether `cost` is Claude Code's own `cost_usd` (of every response), the price table's, or both. */
  costSource: CostSource;
  /** Responses whose cost is Claude Code's own `cost_usd` (the rest are priced from the table). */
  claudeCodeCostResponses: number;
}

/** Options of {@link usageReport}. */
export interface UsageReportOptions {
  /** The price table (`config.prices`). Default the bundled one. */
  prices?: PriceTable;
}

/**
 * Prices a {@link UsageTally}: tokens and cost in total, per agent and per model. A model missing
 * from the price table is named in `unknownModels` and its tokens in `unpricedTokens`; it is never
 * priced at zero. Agents and models are listed in name order. Pure.
 *
 * @example
 * const report = usageReport(ledger.tally(), { prices: config.prices });
 * console.log(report.cost.toFixed(2), `${report.unpricedTokens} tokens unpriced`, report.unknownModels);
 */
export function usageReport(tally: UsageTally, options: UsageReportOptions = {}): UsageReport {
  const prices = options.prices ?? DEFAULT_PRICES;
  const report: UsageReport = {
    tokens: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
    cacheCreation1h: 0,
    totalTokens: 0,
    cost: 0,
    unknownModels: [],
    unpricedTokens: 0,
    apiResponses: 0,
    estimatedResponses: tally.estimatedResponses,
    replacedEstimates: tally.replacedEstimates,
    byAgent: {},
    byModel: {},
    pricesAsOf: PRICES_AS_OF,
    costSource: 'prices',
    claudeCodeCostResponses: 0,
  };
  const byAgent = new Map<string, Map<string, ModelTally>>();
  const byModel = new Map<string, ModelTally>();
  for (const fact of tally.counted) {
    const models = byAgent.get(fact.agent) ?? new Map<string, ModelTally>();
    byAgent.set(fact.agent, models);
    count(models, fact);
    count(byModel, fact);
  }
  const unknown = new Set<string>();
  for (const agent of [...byAgent.keys()].sort(byName)) {
    const usage = agentUsage(byAgent.get(agent)!, prices);
    report.byAgent[agent] = usage;
    addCounts(report.tokens, usage.tokens);
    report.cacheCreation1h += usage.cacheCreation1h;
    report.cost += usage.cost;
    report.unpricedTokens += usage.unpricedTokens;
    report.apiResponses += usage.apiResponses;
    for (const model of usage.unknownModels) unknown.add(model);
  }
  for (const model of [...byModel.keys()].sort(byName))
    report.byModel[model] = modelUsage(model, byModel.get(model)!, prices);
  report.unknownModels = [...unknown].sort(byName);
  report.claudeCodeCostResponses = tally.counted.reduce(
    (n, f) => n + (f.costUsd === undefined ? 0 : f.responses),
    0,
  );
  report.costSource = costSourceOf(report.claudeCodeCostResponses, report.apiResponses);
  report.totalTokens = sumOf(report.tokens);
  return report;
}

interface ModelTally {
  tokens: UsageTokenCounts;
  responses: number;
  /** Tokens of the facts without Claude Code's own cost: the part priced from the table. */
  pricedTokens: UsageTokenCounts;
  /** Sum of Claude Code's own `costUsd`, and the responses it covers. */
  knownCost: number;
  knownResponses: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function count(into: Map<string, ModelTally>, fact: UsageFact): void {
  const slot = into.get(fact.model) ?? {
    tokens: zeroUsageTokenCounts(),
    responses: 0,
    pricedTokens: zeroUsageTokenCounts(),
    knownCost: 0,
    knownResponses: 0,
  };
  into.set(fact.model, slot);
  addUsageTokenCounts(slot.tokens, fact.tokens);
  slot.responses += fact.responses;
  if (fact.costUsd === undefined) addUsageTokenCounts(slot.pricedTokens, fact.tokens);
  else {
    slot.knownCost += fact.costUsd;
    slot.knownResponses += fact.responses;
  }
}

function costSourceOf(known: number, responses: number): CostSource {
  if (known === 0) return 'prices';
  return known >= responses ? 'claude_code' : 'mixed';
}

/**
 * One model's usage: Claude Code's own cost where its records gave one, the price table for the
 * rest. A model with no price is unpriced (cost undefined) unless every response had its own cost.
 */
function modelUsage(model: string, m: ModelTally, prices: PriceTable): ModelUsage {
  const { cacheCreation1h, ...tokens } = m.tokens;
  const costSource = costSourceOf(m.knownResponses, m.responses);
  const out: ModelUsage = { tokens, cacheCreation1h, apiResponses: m.responses, costSource };
  if (costSource === 'claude_code') {
    out.cost = m.knownCost;
    return out;
  }
  const priced = priceUsage(model, m.pricedTokens, prices);
  if (priced.cost !== undefined) out.cost = priced.cost + m.knownCost;
  if (priced.priceKey !== undefined) out.priceKey = priced.priceKey;
  return out;
}

function agentUsage(models: Map<string, ModelTally>, prices: PriceTable): AgentUsage {
  const agent: AgentUsage = {
    tokens: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
    cacheCreation1h: 0,
    cost: 0,
    unknownModels: [],
    unpricedTokens: 0,
    apiResponses: 0,
    models: {},
  };
  for (const model of [...models.keys()].sort(byName)) {
    const m = modelUsage(model, models.get(model)!, prices);
    agent.models[model] = m;
    addCounts(agent.tokens, m.tokens);
    agent.cacheCreation1h += m.cacheCreation1h;
    agent.apiResponses += m.apiResponses;
    if (m.cost === undefined) {
      agent.unknownModels.push(model);
      agent.unpricedTokens += sumOf(m.tokens);
    } else agent.cost += m.cost;
  }
  return agent;
}

function addCounts(into: TokenCounts, add: TokenCounts): void {
  into.input += add.input;
  into.output += add.output;
  into.cacheCreation += add.cacheCreation;
  into.cacheRead += add.cacheRead;
}

function sumOf(t: TokenCounts): number {
  return t.input + t.output + t.cacheCreation + t.cacheRead;
}
