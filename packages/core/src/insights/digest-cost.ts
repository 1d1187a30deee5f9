import { DEFAULT_PRICES, type PriceTable, priceUsage } from '../pricing/prices.js';
import type { DigestUsage, SessionDigest } from './session-digest.js';

/** Total tokens of a usage row (input + output + cache writes + cache reads). */
export function usageTokens(row: DigestUsage): number {
  const t = row.tokens;
  return t.input + t.output + t.cacheCreation + t.cacheRead;
}

/** USD of a usage row; 0 for a model the table does not know (it is priced nowhere, never guessed). */
export function usageCost(row: DigestUsage, prices: PriceTable = DEFAULT_PRICES): number {
  return priceUsage(row.model, row.tokens, prices).cost ?? 0;
}

/** Tokens and USD of a whole session. */
export function digestTotals(
  digest: SessionDigest,
  prices: PriceTable = DEFAULT_PRICES,
): { tokens: number; cost: number } {
  let tokens = 0;
  let cost = 0;
  for (const row of digest.usage) {
    tokens += usageTokens(row);
    cost += usageCost(row, prices);
  }
  return { tokens, cost };
}
