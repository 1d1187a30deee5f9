import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import { RECOMMENDATION_RULES, type Recommendation } from './recommendation-rules.js';
import { findRecurringErrors, type RecurringError } from './recurring-errors.js';
import type { SessionDigest } from './session-digest.js';

/** What {@link recommend} reads. */
export interface RecommendInputs {
  /** The sessions to look at. */
  digests: readonly SessionDigest[];
  /** Their recurring errors (default: `findRecurringErrors(digests)`). */
  recurring?: readonly RecurringError[];
  /** Prices for the money at stake. Default the bundled table. */
  prices?: PriceTable;
  /** The model a sub-agent could move to. Default `claude-haiku-4-5`. */
  cheaperModel?: string;
  /** What an hour of waiting is worth, to rank time against money. Default 60 (USD). */
  hourlyRateUsd?: number;
}

/** Result of {@link recommend}: most at stake first. */
export interface Recommendations {
  recommendations: Recommendation[];
}

/**
 * Suggests what to change, each with its figures and what is at stake, ranked by money plus time
 * (at `hourlyRateUsd`): a sub-agent that fails a tool more than the other agents; an error that
 * comes back after the same kind of edit; a slow, often-called tool; an always-successful
 * sub-agent on a model a cheaper one could replace (priced with the table); cache writes not read
 * back; sessions that hit the context limit and what filled it. Nothing when the data does not
 * support a rule (each needs enough calls, runs or tokens).
 *
 * @example
 * const { recommendations } = recommend({ digests: await readSessionDigests(logsDir) });
 * recommendations[0]?.text; // 'test-runner fails Bash 41% of the time (...) against 5.0% for the other agents: ...'
 */
export function recommend(inputs: RecommendInputs): Recommendations {
  const ctx = {
    digests: inputs.digests,
    recurring: inputs.recurring ?? findRecurringErrors(inputs.digests).recurring,
    prices: inputs.prices ?? DEFAULT_PRICES,
    cheaperModel: inputs.cheaperModel ?? 'claude-haiku-4-5',
  };
  const rate = (inputs.hourlyRateUsd ?? 60) / 3_600_000;
  const worth = (r: Recommendation) => (r.impact.usd ?? 0) + (r.impact.ms ?? 0) * rate;
  const recommendations = RECOMMENDATION_RULES.flatMap((rule) => rule(ctx)).sort(
    (a, b) => worth(b) - worth(a) || a.text.localeCompare(b.text),
  );
  return { recommendations };
}
