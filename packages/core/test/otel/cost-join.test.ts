import { describe, expect, it } from 'vitest';
import { joinClaudeCodeFacts, type UsageFact, UsageLedger, usageReport } from '../../src/index.js';

const tokens = (output: number) => ({
  input: 10,
  output,
  cacheCreation: 0,
  cacheCreation1h: 0,
  cacheRead: 0,
});

function fact(source: UsageFact['source'], requestId: string, extra: Partial<UsageFact> = {}): UsageFact {
  return {
    agent: 'main',
    model: 'claude-sonnet-4-5',
    source,
    key: `${source === 'otel' ? requestId : `msg_${requestId}`}\u0000${requestId}`,
    requestId,
    tokens: tokens(100),
    responses: 1,
    ...extra,
  };
}

describe("the usage ledger joins Claude Code's own cost by request id", () => {
  it('keeps the transcript tokens and takes cost_usd; an unjoined record counts itself', () => {
    const joined = joinClaudeCodeFacts(
      [fact('transcript', 'r1'), fact('transcript', 'r2')],
      new Map([
        ['r1', fact('otel', 'r1', { costUsd: 0.2, tokens: tokens(90) })],
        ['r3', fact('otel', 'r3', { costUsd: 0.1 })],
      ]),
    );
    expect(joined.map((f) => [f.source, f.requestId, f.costUsd, f.tokens.output])).toEqual([
      ['transcript', 'r1', 0.2, 100],
      ['transcript', 'r2', undefined, 100],
      ['otel', 'r3', 0.1, 100],
    ]);
  });

  it('counts a record sent twice once, and prices a model missing from the table by cost_usd alone', () => {
    const ledger = new UsageLedger();
    const unpriced = { model: 'claude-from-the-future', costUsd: 0.75 };
    ledger.add(fact('otel', 'r1', unpriced));
    ledger.add(fact('otel', 'r1', unpriced));
    const report = usageReport(ledger.tally());
    expect(report.apiResponses).toBe(1);
    expect(report.cost).toBe(0.75);
    expect(report.costSource).toBe('claude_code');
    expect(report.unknownModels).toEqual([]);
    expect(report.byModel['claude-from-the-future']).toMatchObject({ cost: 0.75, costSource: 'claude_code' });
  });

  it('gives the same tally whichever source the ledger saw first', () => {
    const facts = [fact('transcript', 'r1'), fact('otel', 'r1', { costUsd: 0.3 }), fact('transcript', 'r2')];
    const forward = new UsageLedger();
    const backward = new UsageLedger();
    for (const f of facts) forward.add(f);
    for (const f of [...facts].reverse()) backward.add(f);
    const a = usageReport(forward.tally());
    const b = usageReport(backward.tally());
    expect(a.cost).toBeCloseTo(b.cost, 12);
    expect(a.apiResponses).toBe(2);
    expect(a.costSource).toBe('mixed');
    expect(a.claudeCodeCostResponses).toBe(1);
    const pricedOnly = usageReport(joinLess(facts));
    expect(a.cost).not.toBeCloseTo(pricedOnly.cost, 6);
  });
});

function joinLess(facts: UsageFact[]) {
  const ledger = new UsageLedger();
  for (const f of facts) if (f.source !== 'otel') ledger.add(f);
  return ledger.tally();
}
