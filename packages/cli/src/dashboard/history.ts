import { listSessionIds, type PriceTable, readSessionDigests, sessionMetrics } from '@sat/core';
import type { HistoryAverage } from './view-model.js';

/** Sessions of the history read for the average (the most recent ones). Default 50. */
export const HISTORY_SESSIONS = 50;

/**
 * The user's average session (tokens, cost, tool calls) over the latest sessions of the log
 * folder other than `exclude`, from insights' session digests; undefined when there are none.
 *
 * @example
 * const average = await historyAverages(config.paths.logs, ['019ab5f0-...'], config.prices);
 */
export async function historyAverages(
  logsDir: string,
  exclude: readonly string[],
  prices: PriceTable,
  limit = HISTORY_SESSIONS,
): Promise<HistoryAverage | undefined> {
  const skip = new Set(exclude);
  const ids = listSessionIds(logsDir)
    .filter((id) => !skip.has(id))
    .slice(-limit);
  const digests = await readSessionDigests(logsDir, ids);
  if (digests.length === 0) return undefined;
  let tokens = 0;
  let cost = 0;
  let toolCalls = 0;
  for (const digest of digests) {
    const metrics = new Map(sessionMetrics(digest, { prices }));
    tokens += metrics.get('tokens') ?? 0;
    cost += metrics.get('cost') ?? 0;
    toolCalls += digest.toolCalls;
  }
  const n = digests.length;
  return { sessions: n, tokens: tokens / n, cost: cost / n, toolCalls: toolCalls / n };
}
