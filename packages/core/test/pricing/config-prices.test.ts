import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, findModelPrice, loadConfig, priceUsage } from '../../src/index.js';
import { tempDir } from '../helpers.js';

function withConfig(value: unknown) {
  const root = tempDir();
  writeFileSync(join(root, 'sat.config.json'), JSON.stringify(value));
  return () => loadConfig({ root, env: {} });
}

describe('the prices key of the config file', () => {
  it('is optional: the bundled table is used', () => {
    expect(loadConfig({ root: tempDir(), env: {} }).prices).toEqual(DEFAULT_PRICES);
  });

  it('adds models and changes prices, and says where they came from', () => {
    const config = withConfig({
      prices: { 'claude-nova-9': { input: 2, output: 10 }, 'claude-opus-4-6': { output: 30 } },
    })();
    expect(findModelPrice('claude-nova-9-20270101', config.prices)?.price).toMatchObject({
      input: 2,
      output: 10,
      cacheWrite5m: 2.5,
      cacheWrite1h: 4,
      cacheRead: 0.2,
    });
    expect(config.prices['claude-opus-4-6']).toMatchObject({ input: 5, output: 30 });
    expect(
      priceUsage(
        'claude-nova-9',
        { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 },
        config.prices,
      ).cost,
    ).toBe(2);
    expect(config.sources['prices.claude-nova-9']).toBe('file');
    // Options override the file, model by model.
    const root = tempDir();
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({ prices: { 'claude-nova-9': { input: 2, output: 10 } } }),
    );
    const layered = loadConfig({
      root,
      env: {},
      overrides: { prices: { 'claude-nova-9': { input: 3, output: 10 } } },
    });
    expect(layered.prices['claude-nova-9']?.input).toBe(3);
  });

  it('refuses a bad override, naming the model and the field', () => {
    const error = (load: () => unknown) => {
      try {
        load();
      } catch (e) {
        expect((e as { code?: string }).code).toBe('INVALID_CONFIG');
        return (e as Error).message;
      }
      throw new Error('expected INVALID_CONFIG');
    };
    expect(error(withConfig({ prices: { 'claude-opus-4-6': { input: -1 } } }))).toMatch(
      /prices\/claude-opus-4-6\/input|prices\.claude-opus-4-6\.input/,
    );
    expect(error(withConfig({ prices: { 'claude-opus-4-6': { inptu: 1 } } }))).toContain('inptu');
    expect(error(withConfig({ prices: { 'claude-nova-9': { input: 1 } } }))).toContain(
      'invalid price override for model "claude-nova-9": output is required for a model not in the price table',
    );
    expect(error(withConfig({ prices: { 'claude-nova-9': { input: 1 } } }))).toContain('sat.config.json');
  });
});
