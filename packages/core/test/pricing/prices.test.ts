import { describe, expect, it } from 'vitest';
import { readTranscript } from '../../src/claude-code/transcript-reader.js';
import { isSatError, type SatError } from '../../src/errors.js';
import {
  contextWindowFor,
  DEFAULT_PRICES,
  findModelPrice,
  normalizeModelId,
  PRICES_AS_OF,
  priceUsage,
  withPriceOverrides,
} from '../../src/pricing/prices.js';
import { fixture } from '../claude-code/fixture-helpers.js';

const MTOK = 1_000_000;
const tokens = (input: number, output: number, cacheCreation = 0, cacheRead = 0) => ({
  input,
  output,
  cacheCreation,
  cacheRead,
});

function thrown(fn: () => unknown): SatError {
  try {
    fn();
  } catch (error) {
    if (isSatError(error)) return error;
    throw error;
  }
  throw new Error('expected a SatError, nothing was thrown');
}

describe('price table', () => {
  it('is dated', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ['claude-opus-4-6', 5, 25],
    ['claude-opus-4-5', 5, 25],
    ['claude-opus-4-1', 15, 75],
    ['claude-opus-4', 15, 75],
    ['claude-sonnet-4-5', 3, 15],
    ['claude-sonnet-4', 3, 15],
    ['claude-3-7-sonnet', 3, 15],
    ['claude-haiku-4-5', 1, 5],
    ['claude-3-5-haiku', 0.8, 4],
    ['claude-3-5-sonnet', 3, 15],
    ['claude-3-opus', 15, 75],
    ['claude-3-haiku', 0.25, 1.25],
  ])('%s costs $%s in / $%s out per million tokens', (model, input, output) => {
    expect(priceUsage(model, tokens(MTOK, 0)).cost).toBeCloseTo(input, 10);
    expect(priceUsage(model, tokens(0, MTOK)).cost).toBeCloseTo(output, 10);
  });

  it('prices cache writes at 1.25x (5 min) / 2x (1 h) and cache reads at 0.1x input', () => {
    for (const [model, p] of Object.entries(DEFAULT_PRICES)) {
      if (model === 'claude-3-haiku') continue; // published: $0.30 / $0.50 / $0.03
      expect(p.cacheWrite5m, model).toBeCloseTo(p.input * 1.25, 10);
      expect(p.cacheWrite1h, model).toBeCloseTo(p.input * 2, 10);
      expect(p.cacheRead, model).toBeCloseTo(p.input * 0.1, 10);
    }
    expect(DEFAULT_PRICES['claude-3-haiku']).toMatchObject({
      cacheWrite5m: 0.3,
      cacheWrite1h: 0.5,
      cacheRead: 0.03,
    });
  });

  it('uses the 5m/1h split when the usage has it, else prices all cache creation as 5-minute', () => {
    const split = priceUsage('claude-opus-4-6', {
      input: 0,
      output: 0,
      cacheCreation: 3 * MTOK,
      cacheRead: 0,
      cacheCreation5m: MTOK,
      cacheCreation1h: 2 * MTOK,
    });
    expect(split.cost).toBeCloseTo(6.25 + 20, 10);
    const noSplit = priceUsage('claude-opus-4-6', tokens(0, 0, 3 * MTOK));
    expect(noSplit.cost).toBeCloseTo(3 * 6.25, 10);
    // The API's raw usage object works too.
    const raw = priceUsage('claude-opus-4-6', {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: MTOK,
      cache_read_input_tokens: MTOK,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: MTOK },
    });
    expect(raw.cost).toBeCloseTo(10 + 0.5, 10);
  });

  it('prices the one response of short.jsonl with its 1-hour cache writes', async () => {
    let cost: number | undefined;
    for await (const item of readTranscript(fixture('spotter/short.jsonl')))
      if (item.kind === 'api_response') cost = priceUsage(item.model, item.usage).cost;
    // 3 in, 13 out, 13835 written for 1 h, 11515 read, on Opus 4.6.
    expect(cost).toBeCloseTo((3 * 5 + 13 * 25 + 13835 * 10 + 11515 * 0.5) / MTOK, 12);
  });
});

describe('model id matching', () => {
  it('matches dated ids and provider spellings to the undated entry', () => {
    expect(priceUsage('claude-haiku-4-5-20251001', tokens(MTOK, 0))).toEqual({
      model: 'claude-haiku-4-5-20251001',
      cost: 1,
      known: true,
      priceKey: 'claude-haiku-4-5',
      synthetic: false,
    });
    expect(findModelPrice('claude-opus-4-20250514')?.key).toBe('claude-opus-4');
    expect(findModelPrice('claude-3-5-sonnet-20241022')?.key).toBe('claude-3-5-sonnet');
    expect(findModelPrice('claude-3-7-sonnet-latest')?.key).toBe('claude-3-7-sonnet');
    expect(findModelPrice('claude-opus-4-0')?.key).toBe('claude-opus-4');
    expect(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude-sonnet-4-5');
    expect(normalizeModelId('claude-sonnet-4-5@20250929')).toBe('claude-sonnet-4-5');
    expect(normalizeModelId('Claude-Sonnet-4-5[1m]')).toBe('claude-sonnet-4-5');
  });

  it('never matches a newer model to an older entry by prefix', () => {
    expect(findModelPrice('claude-opus-4-7')).toBeUndefined();
    expect(findModelPrice('claude-sonnet-4-6-20260217')).toBeUndefined();
    expect(findModelPrice('claude-haiku-4')).toBeUndefined();
  });

  it('recognises <synthetic> as zero-cost, not an API call', () => {
    expect(priceUsage('<synthetic>', tokens(1000, 1000))).toEqual({
      model: '<synthetic>',
      cost: 0,
      known: true,
      synthetic: true,
    });
  });

  it('reports an unknown model by name, with no cost (never a silent zero)', () => {
    const priced = priceUsage('claude-fable-5-1', tokens(MTOK, MTOK));
    expect(priced).toEqual({ model: 'claude-fable-5-1', cost: undefined, known: false, synthetic: false });
  });
});

describe('context windows', () => {
  it('is 200k by default; 1M only as an option where available', () => {
    expect(contextWindowFor('claude-sonnet-4-5-20250929')).toEqual({
      tokens: 200_000,
      extendedTokens: 1_000_000,
      known: true,
    });
    expect(contextWindowFor('claude-opus-4-6')).toEqual({
      tokens: 200_000,
      extendedTokens: 1_000_000,
      known: true,
    });
    expect(contextWindowFor('claude-haiku-4-5-20251001')).toEqual({ tokens: 200_000, known: true });
    expect(contextWindowFor('some-new-model')).toEqual({ tokens: 200_000, known: false });
  });
});

describe('price overrides', () => {
  it('adds a new model, deriving cache prices from input', () => {
    const table = withPriceOverrides({ 'claude-opus-4-7': { input: 5, output: 25 } });
    expect(table['claude-opus-4-7']).toEqual({
      input: 5,
      output: 25,
      cacheWrite5m: 6.25,
      cacheWrite1h: 10,
      cacheRead: 0.5,
      contextWindow: 200_000,
    });
    expect(priceUsage('claude-opus-4-7-20260401', tokens(MTOK, MTOK), table)).toMatchObject({
      cost: 30,
      known: true,
    });
    // The bundled table is untouched.
    expect(priceUsage('claude-opus-4-7', tokens(MTOK, 0)).known).toBe(false);
  });

  it('changes only the given fields of a known model', () => {
    const table = withPriceOverrides({ 'Claude-Sonnet-4-5': { output: 20, contextWindow: 1_000_000 } });
    expect(table['claude-sonnet-4-5']).toMatchObject({
      input: 3,
      output: 20,
      cacheRead: 0.3,
      contextWindow: 1_000_000,
    });
    expect(priceUsage('claude-sonnet-4-5-20250929', tokens(0, MTOK), table).cost).toBe(20);
    expect(DEFAULT_PRICES['claude-sonnet-4-5']!.output).toBe(15);
  });

  it('an exact dated id in the overrides wins over the undated entry', () => {
    const table = withPriceOverrides({ 'claude-haiku-4-5-20251001': { input: 2, output: 10 } });
    expect(priceUsage('claude-haiku-4-5-20251001', tokens(MTOK, 0), table).cost).toBe(2);
    expect(priceUsage('claude-haiku-4-5', tokens(MTOK, 0), table).cost).toBe(1);
  });

  it('rejects a bad field with INVALID_CONFIG naming the model and the field', () => {
    const wrongType = thrown(() => withPriceOverrides({ 'claude-x': { input: 'cheap', output: 1 } }));
    expect(wrongType.code).toBe('INVALID_CONFIG');
    expect(wrongType.message).toContain('"claude-x"');
    expect(wrongType.message).toContain('input');
    expect(wrongType.details).toMatchObject({ model: 'claude-x', field: 'input' });

    const negative = thrown(() => withPriceOverrides({ 'claude-opus-4-6': { cacheRead: -1 } }));
    expect(negative.details).toMatchObject({ model: 'claude-opus-4-6', field: 'cacheRead' });

    const typo = thrown(() => withPriceOverrides({ 'claude-opus-4-6': { inptu: 5 } }));
    expect(typo.message).toContain('inptu');
    expect(typo.details).toMatchObject({ model: 'claude-opus-4-6', field: 'inptu' });

    const missing = thrown(() => withPriceOverrides({ 'claude-new': { input: 1 } }));
    expect(missing.message).toContain('output is required');
    expect(missing.details).toMatchObject({ model: 'claude-new', field: 'output' });

    const notAnEntry = thrown(() => withPriceOverrides({ 'claude-new': 3 }));
    expect(notAnEntry.details).toMatchObject({ model: 'claude-new' });

    expect(thrown(() => withPriceOverrides([1, 2])).code).toBe('INVALID_CONFIG');
    expect(thrown(() => withPriceOverrides({ '<synthetic>': { input: 1, output: 1 } })).code).toBe(
      'INVALID_CONFIG',
    );
  });
});
