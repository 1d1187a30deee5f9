import { describe, expect, it } from 'vitest';
import { PRICES_AS_OF, withPriceOverrides } from '../../src/pricing/prices.js';
import type { UsageFact } from '../../src/usage/usage-facts.js';
import { UsageLedger } from '../../src/usage/usage-ledger.js';
import { usageReport } from '../../src/usage/usage-report.js';

function fact(over: Partial<UsageFact> & { output?: number }): UsageFact {
  const { output = 0, ...rest } = over;
  return {
    agent: 'main',
    model: 'claude-haiku-4-5',
    source: 'transcript',
    tokens: { input: 0, output, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 },
    responses: 1,
    ...rest,
  };
}

describe('UsageLedger', () => {
  it('counts a response once with its largest figures, and an unkeyed sum as it is', () => {
    const ledger = new UsageLedger();
    ledger.add(fact({ key: 'm1', output: 10 }));
    ledger.add(fact({ key: 'm1', output: 40 }));
    ledger.add(fact({ output: 7, responses: 3 }));
    const report = usageReport(ledger.tally());
    expect(report).toMatchObject({ apiResponses: 4, estimatedResponses: 0, replacedEstimates: 0 });
    expect(report.tokens.output).toBe(47);
  });

  it('counts an estimate until its sub-agent has a transcript, whichever comes first', () => {
    const estimate = fact({
      key: 'task_result:t1',
      source: 'task_result',
      agentId: 'a1',
      agent: 'Plan',
      output: 900,
    });
    const own = fact({ key: 'm2', agentId: 'a1', agent: 'Plan', output: 300 });
    const alone = new UsageLedger();
    alone.add(estimate);
    expect(usageReport(alone.tally())).toMatchObject({ estimatedResponses: 1, replacedEstimates: 0 });
    for (const order of [
      [estimate, own],
      [own, estimate],
    ]) {
      const ledger = new UsageLedger();
      for (const f of order) ledger.add(f);
      const report = usageReport(ledger.tally());
      expect(report).toMatchObject({ apiResponses: 1, estimatedResponses: 0, replacedEstimates: 1 });
      expect(report.byAgent.Plan!.tokens.output).toBe(300);
    }
    const noted = new UsageLedger();
    noted.add(estimate);
    noted.noteTranscript('a1');
    expect(usageReport(noted.tally())).toMatchObject({ apiResponses: 0, replacedEstimates: 1 });
  });

  it('says estimates are unknown once it holds rollup sums, which already went through the rule', () => {
    const ledger = new UsageLedger();
    ledger.add(fact({ source: 'rollup', output: 5 }));
    expect(usageReport(ledger.tally())).toMatchObject({
      apiResponses: 1,
      estimatedResponses: null,
      replacedEstimates: null,
    });
  });
});

describe('usageReport', () => {
  it('names unpriced models with their tokens, prices the rest per agent and per model, 5m and 1h writes apart', () => {
    const ledger = new UsageLedger();
    ledger.add({
      ...fact({ key: 'a', agent: 'main' }),
      tokens: {
        input: 1_000_000,
        output: 0,
        cacheCreation: 1_000_000,
        cacheCreation1h: 400_000,
        cacheRead: 0,
      },
    });
    ledger.add(fact({ key: 'b', agent: 'Explore', model: 'claude-nova-9', output: 1234 }));
    ledger.add(fact({ key: 'c', agent: 'Explore', model: '<synthetic>' }));
    const report = usageReport(ledger.tally());
    // 1M input at $1, 600k 5-minute writes at $1.25, 400k 1-hour writes at $2 (per million).
    expect(report.cost).toBeCloseTo(1 + 0.75 + 0.8, 12);
    expect(report).toMatchObject({
      unknownModels: ['claude-nova-9'],
      unpricedTokens: 1234,
      cacheCreation1h: 400_000,
      totalTokens: 2_001_234,
      apiResponses: 3,
      pricesAsOf: PRICES_AS_OF,
    });
    expect(Object.keys(report.byAgent)).toEqual(['Explore', 'main']);
    expect(report.byAgent.Explore).toMatchObject({
      cost: 0,
      unknownModels: ['claude-nova-9'],
      unpricedTokens: 1234,
    });
    expect(report.byModel['claude-nova-9']!.cost).toBeUndefined();
    expect(report.byModel['<synthetic>']!.cost).toBe(0);
    expect(report.byModel['claude-haiku-4-5']!.priceKey).toBe('claude-haiku-4-5');

    const priced = usageReport(ledger.tally(), {
      prices: withPriceOverrides({ 'claude-nova-9': { input: 1, output: 1_000_000 } }),
    });
    expect(priced).toMatchObject({ unknownModels: [], unpricedTokens: 0 });
    expect(priced.cost).toBeCloseTo(report.cost + 1234, 9);
  });
});
