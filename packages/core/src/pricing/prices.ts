import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SatError } from '../errors.js';
import { isObject } from '../guards.js';
import { describeValue, schemaErrors } from '../schema-errors.js';
import { normalizeUsage, SYNTHETIC_MODEL } from './token-usage.js';

/**
 * The date the bundled prices were taken from Anthropic's published list prices (USD, standard
 * API, no batch discount). Check https://claude.com/pricing before relying on them; override
 * with {@link withPriceOverrides}.
 */
export const PRICES_AS_OF = '2026-02-14';

/** Context window assumed for a model: 200k tokens unless a larger one is switched on. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;

/** Prices of one model, in USD per million tokens, and its context window. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  output: number;
  /** Cache writes with the 5-minute lifetime (list price: 1.25 x input). */
  cacheWrite5m: number;
  /** Cache writes with the 1-hour lifetime (list price: 2 x input). */
  cacheWrite1h: number;
  /** Cache reads (hits and refreshes; list price: 0.1 x input). */
  cacheRead: number;
  /** Standard context window in tokens (default 200,000). */
  contextWindow: number;
  /**
   * A larger window that can be switched on (1M tokens, beta header / `[1m]` model in Claude Code).
   * Never assumed: a session uses it only if it was enabled.
   */
  extendedContextWindow?: number;
  /** A short remark (e.g. about long-context pricing, which this table does not apply). */
  note?: string;
}

/** Model id (lower case, without date suffix) to its prices. */
export type PriceTable = Readonly<Record<string, Readonly<ModelPrice>>>;

const LONG_CONTEXT_NOTE =
  '1M-token context available as an option; requests above 200k input tokens are billed at long-context rates, which this table does not apply';

function listPrice(input: number, output: number, extra: Partial<ModelPrice> = {}): Readonly<ModelPrice> {
  return Object.freeze({
    input,
    output,
    cacheWrite5m: round(input * 1.25),
    cacheWrite1h: round(input * 2),
    cacheRead: round(input * 0.1),
    contextWindow: DEFAULT_CONTEXT_WINDOW,
    ...extra,
  });
}

/**
 * The bundled price table (as of {@link PRICES_AS_OF}), keyed by model id without date suffix.
 *
 * @example
 * DEFAULT_PRICES['claude-sonnet-4-5'].output // 15
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  'claude-opus-4-6': listPrice(5, 25, { extendedContextWindow: 1_000_000, note: LONG_CONTEXT_NOTE }),
  'claude-opus-4-5': listPrice(5, 25),
  'claude-opus-4-1': listPrice(15, 75),
  'claude-opus-4': listPrice(15, 75),
  'claude-sonnet-4-5': listPrice(3, 15, { extendedContextWindow: 1_000_000, note: LONG_CONTEXT_NOTE }),
  'claude-sonnet-4': listPrice(3, 15, { extendedContextWindow: 1_000_000, note: LONG_CONTEXT_NOTE }),
  'claude-3-7-sonnet': listPrice(3, 15),
  'claude-haiku-4-5': listPrice(1, 5),
  'claude-3-5-haiku': listPrice(0.8, 4),
  'claude-3-5-sonnet': listPrice(3, 15),
  'claude-3-opus': listPrice(15, 75),
  'claude-3-haiku': listPrice(0.25, 1.25, { cacheWrite5m: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 }),
});

/** Aliases Anthropic publishes that are not a table key plus a date. */
const ALIASES: Readonly<Record<string, string>> = {
  'claude-opus-4-0': 'claude-opus-4',
  'claude-sonnet-4-0': 'claude-sonnet-4',
};

/**
 * The table key for a model id: lower case, without a `[1m]` marker, Bedrock/Vertex decorations
 * (`us.anthropic.` prefix, `-v1:0` suffix, `@20250929`), `-latest`, or a `-YYYYMMDD` date suffix.
 * Nothing else is cut: `claude-opus-4-7` stays `claude-opus-4-7` (never matched to `claude-opus-4`).
 *
 * @example
 * normalizeModelId('claude-haiku-4-5-20251001') // 'claude-haiku-4-5'
 * normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0') // 'claude-sonnet-4-5'
 */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  id = id.replace(/\[[^\]]*\]$/, '');
  id = id.replace(/^(?:[a-z]{2,6}\.)?anthropic\./, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/@\d{8}$/, '');
  id = id.replace(/-latest$/, '');
  id = id.replace(/-\d{8}$/, '');
  return ALIASES[id] ?? id;
}

/**
 * Finds a model's prices: first its exact id (lower case), then {@link normalizeModelId}.
 * Undefined for a model not in the table (and for `<synthetic>`).
 *
 * @example
 * findModelPrice('claude-opus-4-20250514')?.key // 'claude-opus-4'
 */
export function findModelPrice(
  model: string,
  table: PriceTable = DEFAULT_PRICES,
): { key: string; price: Readonly<ModelPrice> } | undefined {
  const exact = model.trim().toLowerCase();
  const exactPrice = Object.hasOwn(table, exact) ? table[exact] : undefined;
  if (exactPrice) return { key: exact, price: exactPrice };
  const key = normalizeModelId(model);
  const price = Object.hasOwn(table, key) ? table[key] : undefined;
  return price ? { key, price } : undefined;
}

/**
 * Token counts to price: a `TokenUsage` from the reader, `TokenTotals`, or the API's raw
 * `usage` object (`input_tokens`, ...). `cacheCreation1h` is the part of `cacheCreation` written
 * for 1 hour; without it all cache creation is priced as 5-minute writes.
 */
export interface PriceableUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cacheCreation5m?: number;
  cacheCreation1h?: number;
}

/** The price of some usage. */
export interface PricedUsage {
  /** The model id as given. */
  model: string;
  /** USD; undefined when the model is not in the table (never a silent 0). */
  cost: number | undefined;
  /** False when the model is not in the table: report `model` to the user. */
  known: boolean;
  /** The table key used. */
  priceKey?: string;
  /** True for `<synthetic>` (Claude Code's own messages, no API call, cost 0). */
  synthetic: boolean;
}

/**
 * Prices `usage` of `model` in USD. A model missing from the table gives `{ known: false,
 * cost: undefined }` so the caller can name it; `<synthetic>` gives cost 0. Long-context
 * (above 200k input tokens) premiums are not applied.
 *
 * @example
 * priceUsage('claude-haiku-4-5-20251001', { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 })
 * // { model: 'claude-haiku-4-5-20251001', cost: 1, known: true, priceKey: 'claude-haiku-4-5', synthetic: false }
 */
export function priceUsage(
  model: string,
  usage: PriceableUsage | Record<string, unknown>,
  table: PriceTable = DEFAULT_PRICES,
): PricedUsage {
  if (model.trim() === SYNTHETIC_MODEL) return { model, cost: 0, known: true, synthetic: true };
  const found = findModelPrice(model, table);
  if (!found) return { model, cost: undefined, known: false, synthetic: false };
  const u = toPriceable(usage);
  const cache1h = Math.min(u.cacheCreation1h ?? 0, u.cacheCreation);
  const cache5m = u.cacheCreation - cache1h;
  const p = found.price;
  const cost =
    (u.input * p.input +
      u.output * p.output +
      cache5m * p.cacheWrite5m +
      cache1h * p.cacheWrite1h +
      u.cacheRead * p.cacheRead) /
    1_000_000;
  return { model, cost, known: true, priceKey: found.key, synthetic: false };
}

/**
 * The context window of a model: the table's, or {@link DEFAULT_CONTEXT_WINDOW} with
 * `known: false` for a model not in it. `extendedTokens` is set where a 1M window can be
 * switched on; it is never assumed to be in use.
 *
 * @example
 * contextWindowFor('claude-sonnet-4-5-20250929') // { tokens: 200000, extendedTokens: 1000000, known: true }
 */
export function contextWindowFor(
  model: string,
  table: PriceTable = DEFAULT_PRICES,
): { tokens: number; extendedTokens?: number; known: boolean } {
  const found = findModelPrice(model, table);
  if (!found) return { tokens: DEFAULT_CONTEXT_WINDOW, known: false };
  const out: { tokens: number; extendedTokens?: number; known: boolean } = {
    tokens: found.price.contextWindow,
    known: true,
  };
  if (found.price.extendedContextWindow !== undefined) out.extendedTokens = found.price.extendedContextWindow;
  return out;
}

const Rate = Type.Number({ minimum: 0 });

/**
 * Schema of one model's override: any field of {@link ModelPrice}. A model not in the base table
 * needs `input` and `output`; its cache prices default to 1.25x / 2x / 0.1x input and its
 * context window to 200k.
 */
export const ModelPriceOverrideSchema = Type.Object(
  {
    input: Type.Optional(Rate),
    output: Type.Optional(Rate),
    cacheWrite5m: Type.Optional(Rate),
    cacheWrite1h: Type.Optional(Rate),
    cacheRead: Type.Optional(Rate),
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
    extendedContextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/**
 * Price overrides: model id to the fields to set.
 *
 * @example
 * const overrides: PriceOverrides = { 'claude-opus-4-7': { input: 5, output: 25 } };
 */
export type PriceOverrides = Record<string, Static<typeof ModelPriceOverrideSchema>>;

const checkOverride = TypeCompiler.Compile(ModelPriceOverrideSchema);

/**
 * A new price table: `base` (default: the bundled one) with `overrides` merged in, e.g. from the
 * config file. For a model already in the table, only the given fields change; a new model needs
 * `input` and `output`. Model ids are stored in lower case (a key without date suffix also covers
 * the dated ids). Throws `SatError('INVALID_CONFIG')` naming the model and field on bad input.
 *
 * @example
 * const table = withPriceOverrides({ 'claude-opus-4-7': { input: 5, output: 25 } });
 * priceUsage('claude-opus-4-7', usage, table).known // true
 */
export function withPriceOverrides(overrides: unknown, base: PriceTable = DEFAULT_PRICES): PriceTable {
  if (!isObject(overrides))
    throw new SatError(
      'INVALID_CONFIG',
      `[core] price overrides must be an object of model id to prices, got ${describeValue(overrides)}`,
      { details: { field: 'prices' } },
    );
  const table: Record<string, Readonly<ModelPrice>> = { ...base };
  for (const [model, entry] of Object.entries(overrides)) {
    const key = model.trim().toLowerCase();
    if (key === '' || key === SYNTHETIC_MODEL)
      throw new SatError(
        'INVALID_CONFIG',
        `[core] invalid price override: model id ${describeValue(model)} is not allowed`,
        {
          details: { model, field: 'model' },
        },
      );
    if (!isObject(entry))
      throw new SatError(
        'INVALID_CONFIG',
        `[core] invalid price override for model "${model}": expected an object such as { "input": 3, "output": 15 }, got ${describeValue(entry)}`,
        { details: { model, field: 'model' } },
      );
    if (!checkOverride.Check(entry)) {
      const first = checkOverride.Errors(entry).First();
      const field = first?.path.split('/').filter(Boolean)[0] ?? '(the value)';
      const reasons = schemaErrors(checkOverride, entry);
      throw new SatError(
        'INVALID_CONFIG',
        `[core] invalid price override for model "${model}": ${reasons.join('; ')} (prices are USD per million tokens, numbers >= 0)`,
        { details: { model, field, reasons } },
      );
    }
    const given = withoutUndefined(entry as Static<typeof ModelPriceOverrideSchema>);
    const current = Object.hasOwn(table, key) ? table[key] : undefined;
    if (current) {
      table[key] = Object.freeze({ ...current, ...given });
      continue;
    }
    for (const field of ['input', 'output'] as const) {
      if (given[field] === undefined)
        throw new SatError(
          'INVALID_CONFIG',
          `[core] invalid price override for model "${model}": ${field} is required for a model not in the price table`,
          { details: { model, field } },
        );
    }
    table[key] = listPrice(given.input as number, given.output as number, given);
  }
  return Object.freeze(table);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toPriceable(usage: PriceableUsage | Record<string, unknown>): PriceableUsage {
  if ('input_tokens' in usage || 'output_tokens' in usage || 'cache_read_input_tokens' in usage)
    return normalizeUsage(usage);
  const u = usage as Partial<PriceableUsage>;
  const out: PriceableUsage = {
    input: nonNegative(u.input),
    output: nonNegative(u.output),
    cacheCreation: nonNegative(u.cacheCreation),
    cacheRead: nonNegative(u.cacheRead),
  };
  if (u.cacheCreation1h !== undefined) out.cacheCreation1h = nonNegative(u.cacheCreation1h);
  return out;
}

function nonNegative(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
