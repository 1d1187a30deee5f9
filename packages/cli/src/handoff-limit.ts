import { UsageError } from './errors.js';

/** The bounds of `--max-tokens`: the same as `handoff.maxTokens` in sat.config.json. */
export const HANDOFF_TOKENS = { min: 200, max: 200_000 } as const;

/**
 * Reads `--max-tokens` of `sat handoff` and `sat recover`: a whole number from 200 to 200,000.
 *
 * @example
 * parseMaxTokens('1000'); // 1000
 */
export function parseMaxTokens(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < HANDOFF_TOKENS.min || value > HANDOFF_TOKENS.max)
    throw new UsageError(
      `--max-tokens must be a whole number from ${HANDOFF_TOKENS.min} to ${HANDOFF_TOKENS.max}, got '${raw}'`,
    );
  return value;
}
