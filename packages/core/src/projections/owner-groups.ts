import { type ResolvedFilters, resolveFilters } from './analytics-filters.js';
import type { AnalyticsQuery, AnalyticsStore } from './analytics-store.js';

/** What `--by` groups an answer by: the owner's user or machine. */
export type OwnerDimension = 'user' | 'machine';

/** The owner dimensions, for validation. */
export const OWNER_DIMENSIONS: readonly OwnerDimension[] = Object.freeze(['user', 'machine']);

/** One owner's answer in {@link OwnerGroups}. */
export interface OwnerGroup<T> {
  /** The user or machine (by `OwnerGroups.by`). */
  owner: string;
  /** The query's answer with that owner as a filter. */
  result: T;
}

/** An answer grouped per owner. */
export interface OwnerGroups<T> {
  by: OwnerDimension;
  /** The filters of the whole (without the owner of each group). */
  filters: ResolvedFilters;
  /** In owner order. */
  groups: OwnerGroup<T>[];
}

/**
 * Runs `run` once per owner (every user, or machine, with any work under the query's filters,
 * from `store.team`), with that owner as a filter, so that each group is the
 * answer the query gives for that owner alone.
 *
 * @example
 * const byUser = await groupByOwner(store, 'user', { days: 7 }, (q) => store.costAnalysis(q));
 * byUser.groups.map((g) => [g.owner, g.result.cost]); // [['ana', 1.2], ['bo', 0.4]]
 */
export async function groupByOwner<T>(
  store: Pick<AnalyticsStore, 'team'>,
  by: OwnerDimension,
  query: AnalyticsQuery,
  run: (query: AnalyticsQuery) => Promise<T>,
): Promise<OwnerGroups<T>> {
  const filters = resolveFilters(query);
  const owners = [...new Set((await store.team(query)).rows.map((row) => row[by]))].sort();
  const groups: OwnerGroup<T>[] = [];
  for (const owner of owners) groups.push({ owner, result: await run({ ...query, [by]: owner }) });
  return { by, filters, groups };
}
