/**
 * Token counts of Anthropic API responses, as the price table prices them. Claude Code's
 * transcripts, hook payloads and OpenTelemetry all carry this `usage` shape.
 */
import { isObject } from '../guards.js';

/**
 * The model name Claude Code writes on assistant lines it made up itself (API errors, "No response
 * requested.", rate-limit notices). Such lines are not API responses and cost nothing.
 */
export const SYNTHETIC_MODEL = '<synthetic>';

/**
 * Token counts of one API response, normalized. `cacheCreation5m + cacheCreation1h` is
 * `cacheCreation`: when the transcript gives no 5m/1h split, all cache creation is counted as
 * 5-minute (the API default) and `cacheSplitKnown` is false.
 */
export interface TokenUsage {
  /** Uncached input tokens (`input_tokens`). */
  input: number;
  /** Output tokens (`output_tokens`), thinking included. */
  output: number;
  /** Tokens written to the prompt cache (`cache_creation_input_tokens`). */
  cacheCreation: number;
  /** Tokens read from the prompt cache (`cache_read_input_tokens`). */
  cacheRead: number;
  /** Part of `cacheCreation` written with the 5-minute lifetime. */
  cacheCreation5m: number;
  /** Part of `cacheCreation` written with the 1-hour lifetime. */
  cacheCreation1h: number;
  /** True when the transcript gave the `cache_creation.ephemeral_5m/1h` split. */
  cacheSplitKnown: boolean;
}

/**
 * All-zero {@link TokenUsage}.
 *
 * @example
 * const total = { ...ZERO_USAGE };
 */
export const ZERO_USAGE: Readonly<TokenUsage> = Object.freeze({
  input: 0,
  output: 0,
  cacheCreation: 0,
  cacheRead: 0,
  cacheCreation5m: 0,
  cacheCreation1h: 0,
  cacheSplitKnown: false,
});

/**
 * Reads a `usage` object defensively: missing, negative or non-numeric counts become 0. If the
 * 5m/1h split does not add up to `cache_creation_input_tokens`, the rest is counted as 5-minute
 * (and a split larger than the total raises the total).
 *
 * @example
 * normalizeUsage({ input_tokens: 3, output_tokens: 13, cache_creation_input_tokens: 100 })
 * // { input: 3, output: 13, cacheCreation: 100, cacheRead: 0, cacheCreation5m: 100, cacheCreation1h: 0, cacheSplitKnown: false }
 */
export function normalizeUsage(raw: unknown): TokenUsage {
  if (!isObject(raw)) return { ...ZERO_USAGE };
  const split = isObject(raw.cache_creation) ? raw.cache_creation : undefined;
  const split5m = split ? count(split.ephemeral_5m_input_tokens) : 0;
  const split1h = split ? count(split.ephemeral_1h_input_tokens) : 0;
  const cacheSplitKnown =
    split !== undefined &&
    (typeof split.ephemeral_5m_input_tokens === 'number' ||
      typeof split.ephemeral_1h_input_tokens === 'number');
  const cacheCreation = Math.max(count(raw.cache_creation_input_tokens), split5m + split1h);
  return {
    input: count(raw.input_tokens),
    output: count(raw.output_tokens),
    cacheCreation,
    cacheRead: count(raw.cache_read_input_tokens),
    cacheCreation5m: cacheCreation - split1h,
    cacheCreation1h: split1h,
    cacheSplitKnown,
  };
}

/**
 * The larger of two usages, field by field: what to keep when the same API response shows up on
 * several lines with partial figures.
 *
 * @example
 * maxUsage(normalizeUsage({ output_tokens: 1 }), normalizeUsage({ output_tokens: 50 })).output // 50
 */
export function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const cacheCreation1h = Math.max(a.cacheCreation1h, b.cacheCreation1h);
  const cacheCreation = Math.max(a.cacheCreation, b.cacheCreation);
  return {
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    cacheCreation,
    cacheRead: Math.max(a.cacheRead, b.cacheRead),
    cacheCreation5m: cacheCreation - cacheCreation1h,
    cacheCreation1h,
    cacheSplitKnown: a.cacheSplitKnown || b.cacheSplitKnown,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
