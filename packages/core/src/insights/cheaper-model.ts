import { findModelPrice, type PriceTable, priceUsage } from '../pricing/prices.js';
import { addUsageTokenCounts, type UsageTokenCounts, zeroUsageTokenCounts } from '../usage/usage-facts.js';
import type { SessionDigest } from './session-digest.js';

/** The model {@link cheaperModelRows} prices sub-agent work on by default. */
export const DEFAULT_CHEAPER_MODEL = 'claude-haiku-4-5';

/** What the successful runs of one sub-agent on one model cost, and would have cost on a cheaper model. */
export interface CheaperModelRow {
  agent: string;
  model: string;
  alternative: string;
  /** Runs that ended with success and have tokens on `model`. */
  successfulRuns: number;
  costUsd: number;
  alternativeCostUsd: number;
  savingUsd: number;
}

/** Input plus output USD per million tokens: how models are ranked by price. */
export function modelRate(model: string, prices: PriceTable): number | null {
  const found = findModelPrice(model, prices);
  return found ? found.price.input + found.price.output : null;
}

/**
 * The sub-agent work that succeeded (runs with `success === true`, their own responses only),
 * per agent and model, priced on its model and on `alternative` (with `priceUsage`, the same
 * tokens), for the models dearer than `alternative`. Most saved first. `keep` narrows the runs
 * (by the phase and day they started in).
 *
 * @example
 * cheaperModelRows(digests, DEFAULT_PRICES)[0];
 * // { agent: 'code-reviewer', model: 'claude-opus-4-6', alternative: 'claude-haiku-4-5', successfulRuns: 14, costUsd: 9.1, alternativeCostUsd: 1.8, savingUsd: 7.3 }
 */
export function cheaperModelRows(
  digests: readonly SessionDigest[],
  prices: PriceTable,
  alternative = DEFAULT_CHEAPER_MODEL,
  keep: (phase: string, day: string) => boolean = () => true,
): CheaperModelRow[] {
  const floor = modelRate(alternative, prices);
  if (floor === null) return [];
  const groups = new Map<string, { agent: string; model: string; runs: number; tokens: UsageTokenCounts }>();
  for (const digest of digests)
    for (const run of digest.taskRuns) {
      if (run.success !== true || !keep(run.phase, new Date(run.at).toISOString().slice(0, 10))) continue;
      for (const { model, tokens } of run.usage) {
        const rate = modelRate(model, prices);
        if (rate === null || rate <= floor) continue;
        const key = `${run.agent}\u0000${model}`;
        const group = groups.get(key) ?? { agent: run.agent, model, runs: 0, tokens: zeroUsageTokenCounts() };
        groups.set(key, group);
        group.runs++;
        addUsageTokenCounts(group.tokens, tokens);
      }
    }
  const rows: CheaperModelRow[] = [];
  for (const { agent, model, runs, tokens } of groups.values()) {
    const costUsd = priceUsage(model, tokens, prices).cost ?? 0;
    const alternativeCostUsd = priceUsage(alternative, tokens, prices).cost ?? costUsd;
    rows.push({
      agent,
      model,
      alternative,
      successfulRuns: runs,
      costUsd,
      alternativeCostUsd,
      savingUsd: costUsd - alternativeCostUsd,
    });
  }
  return rows.sort((a, b) => b.savingUsd - a.savingUsd || a.agent.localeCompare(b.agent));
}
