import type { AnalyticsQuery, AnalyticsStore, ErrorPatterns } from '@sat/core';
import type { ErrorCell } from './error-heatmap-spec.js';

/** Error counts per error type of one result. */
export function countsByType(result: ErrorPatterns): Map<string, number> {
  return new Map(result.byType.map((t) => [t.errorType, t.errors]));
}

/** Errors per agent x type: one query per agent, the rest as "(other)" (the data of the error heatmap). */
export async function errorsByAgent(store: AnalyticsStore, query: AnalyticsQuery): Promise<ErrorCell[]> {
  const all = countsByType(await store.errorPatterns(query));
  const [agents, tools] = await Promise.all([store.agentPerformance(query), store.toolEffectiveness(query)]);
  const names = [
    ...new Set(['main', ...agents.agents.map((a) => a.agent), ...tools.agents.map((a) => a.agent)]),
  ];
  const cells: ErrorCell[] = [];
  const left = new Map(all);
  for (const agent of names) {
    for (const [errorType, count] of countsByType(await store.errorPatterns({ ...query, agent }))) {
      cells.push({ key: agent, errorType, count });
      left.set(errorType, (left.get(errorType) ?? 0) - count);
    }
  }
  for (const [errorType, count] of left) if (count > 0) cells.push({ key: '(other)', errorType, count });
  return cells;
}
