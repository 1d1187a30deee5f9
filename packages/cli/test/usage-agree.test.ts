import type { SessionOverview } from '@sat/core';
import type { SessionSummary } from '@sat/core/projections';
import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../src/commands/status.js';
import { sat, tempDir } from './helpers.js';

interface Figures {
  tokens: { input: number; output: number; cacheCreation: number; cacheRead: number };
  cost: number;
  unknownModels: string[];
  byModel: Record<string, { responses: number; cost: number | null }>;
  byAgent: Record<string, { responses: number; cost: number }>;
}

const usd = (value: number) => Math.round(value * 1e9) / 1e9;
const priced = (value: number | null | undefined) =>
  value === undefined || value === null ? null : usd(value);

function fromShow(o: SessionOverview): Figures {
  return {
    tokens: o.tokens,
    cost: usd(o.cost),
    unknownModels: o.unknownModels,
    byModel: Object.fromEntries(
      Object.entries(o.byModel).map(([model, m]) => [
        model,
        { responses: m.apiResponses, cost: priced(m.cost) },
      ]),
    ),
    byAgent: Object.fromEntries(
      Object.entries(o.byAgent).map(([agent, a]) => [
        agent,
        { responses: a.apiResponses, cost: usd(a.cost) },
      ]),
    ),
  };
}

function fromStatus(r: StatusReport): Figures {
  const s = r.summary;
  return {
    tokens: s.tokens,
    cost: usd(s.cost),
    unknownModels: s.unknownModels,
    byModel: Object.fromEntries(
      Object.entries(s.byModel).map(([model, m]) => [
        model,
        { responses: m.responses, cost: priced(m.cost) },
      ]),
    ),
    byAgent: Object.fromEntries(
      Object.entries(s.byAgent).map(([agent, a]) => [
        agent,
        { responses: a.apiResponses, cost: usd(a.cost) },
      ]),
    ),
  };
}

function fromStats(s: SessionSummary): Figures {
  const { total: _total, cacheCreation1h: _oneHour, ...tokens } = s.tokens;
  return {
    tokens,
    cost: usd(s.pricedCost),
    unknownModels: s.unpricedModels,
    byModel: Object.fromEntries(
      s.models.map((m) => [
        m.model,
        { responses: m.responses, cost: m.cost === undefined || m.cost === null ? null : usd(m.cost) },
      ]),
    ),
    byAgent: Object.fromEntries(
      s.agents
        .filter((a) => a.responses > 0)
        .map((a) => [a.agent, { responses: a.responses, cost: usd(a.pricedCost) }]),
    ),
  };
}

describe('sat show, sat status and sat stats session give the same usage', () => {
  it('for the bundled session with a sub-agent estimate: tokens, cost, per agent and per model', async () => {
    const home = tempDir();
    const imported = await sat(['import', '--sample'], { home });
    expect(imported.code, imported.stderr).toBe(0);
    const session = '491e126e';
    const [show, status, stats] = await Promise.all([
      sat(['show', session, '--json'], { home }),
      sat(['status', session, '--json'], { home }),
      sat(['stats', 'session', '--session', session, '--json'], { home }),
    ]);
    for (const run of [show, status, stats]) expect(run.code, run.stderr).toBe(0);
    const shown = fromShow(JSON.parse(show.stdout));
    expect(shown.cost).toBeGreaterThan(0);
    expect(shown.byAgent.Plan?.responses).toBe(1);
    expect(JSON.parse(show.stdout).estimatedResponses).toBe(1);
    expect(JSON.parse(status.stdout).summary.estimatedResponses).toBe(1);
    expect(fromStatus(JSON.parse(status.stdout))).toEqual(shown);
    expect(fromStats(JSON.parse(stats.stdout))).toEqual(shown);
  });
});
