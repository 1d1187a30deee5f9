/**
 * The three ways a session's tokens and cost are read give the same figures: replaying its log
 * (`sessionUsage`: `sat show`), its folded state (`summarizeSessionState` / `stateUsage`: `sat status`,
 * snapshots, handoffs) and the analytics store (`sessionSummary`: `sat stats session`). Checked on
 * every bundled real transcript, with the bundled prices and with a table that lacks their model,
 * and on a session whose sub-agent estimate is replaced by its own transcript.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PRICES,
  importTranscripts,
  type NewEvent,
  normalizeModelId,
  type PriceTable,
  replaySession,
  type SessionStateSummary,
  sessionUsage,
  stateUsage,
  summarizeSessionState,
  type UsageReport,
} from '@sat/core';
import type { SessionSummary } from '@sat/core/projections';
import { describe, expect, it } from 'vitest';
import { open, REPO, tempDir, writeLog } from './helpers.js';

const FIXTURES = join(REPO, 'packages/cli/fixtures/claude-code');
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, 'EXPECTED.json'), 'utf8')) as Record<
  string,
  { per_model: Record<string, unknown> }
>;

/** The bundled prices without `model`: its tokens become unpriced. */
function pricesWithout(model: string): PriceTable {
  return Object.fromEntries(Object.entries(DEFAULT_PRICES).filter(([key]) => key !== model));
}

interface Figures {
  tokens: {
    input: number;
    output: number;
    cacheCreation: number;
    cacheCreation1h: number;
    cacheRead: number;
  };
  totalTokens: number;
  responses: number;
  cost: number;
  unknownModels: string[];
  unpricedTokens: number;
  byAgent: Record<string, { tokens: number; responses: number; cost: number }>;
  byModel: Record<string, { tokens: number; responses: number; cost: number | null }>;
}

const usd = (value: number) => Math.round(value * 1e9) / 1e9;
const total = (t: { input: number; output: number; cacheCreation: number; cacheRead: number }) =>
  t.input + t.output + t.cacheCreation + t.cacheRead;

function fromReport(r: UsageReport): Figures {
  return {
    tokens: { ...r.tokens, cacheCreation1h: r.cacheCreation1h },
    totalTokens: r.totalTokens,
    responses: r.apiResponses,
    cost: usd(r.cost),
    unknownModels: r.unknownModels,
    unpricedTokens: r.unpricedTokens,
    byAgent: Object.fromEntries(
      Object.entries(r.byAgent).map(([agent, a]) => [
        agent,
        { tokens: total(a.tokens), responses: a.apiResponses, cost: usd(a.cost) },
      ]),
    ),
    byModel: Object.fromEntries(
      Object.entries(r.byModel).map(([model, m]) => [
        model,
        {
          tokens: total(m.tokens),
          responses: m.apiResponses,
          cost: m.cost === undefined ? null : usd(m.cost),
        },
      ]),
    ),
  };
}

function fromStore(s: SessionSummary): Figures {
  const { total: totalTokens, ...tokens } = s.tokens;
  return {
    tokens,
    totalTokens,
    responses: s.responses,
    cost: usd(s.pricedCost),
    unknownModels: s.unpricedModels,
    unpricedTokens: s.unpricedTokens,
    byAgent: Object.fromEntries(
      s.agents
        .filter((a) => a.responses > 0)
        .map((a) => [a.agent, { tokens: a.tokens.total, responses: a.responses, cost: usd(a.pricedCost) }]),
    ),
    byModel: Object.fromEntries(
      s.models.map((m) => [m.model, { tokens: m.tokens.total, responses: m.responses, cost: m.cost }]),
    ),
  };
}

/** What `sat status` prints of the usage, against the replayed report. */
function expectStatusMatches(summary: SessionStateSummary, replay: UsageReport): void {
  expect(summary.tokens).toEqual(replay.tokens);
  expect(summary.totalTokens).toBe(replay.totalTokens);
  expect(usd(summary.cost)).toBe(usd(replay.cost));
  expect(summary.unknownModels).toEqual(replay.unknownModels);
  expect(summary.unpricedTokens).toBe(replay.unpricedTokens);
  expect(summary.estimatedResponses).toBe(replay.estimatedResponses);
  expect(Object.keys(summary.byModel)).toEqual(Object.keys(replay.byModel));
  for (const [model, m] of Object.entries(summary.byModel)) {
    expect(m.responses).toBe(replay.byModel[model]!.apiResponses);
    expect(m.cost === undefined ? null : usd(m.cost)).toBe(
      replay.byModel[model]!.cost === undefined ? null : usd(replay.byModel[model]!.cost!),
    );
  }
}

/** Reads `session` the three ways with `prices` and checks they agree; returns the replayed figures. */
async function expectPathsAgree(logsDir: string, session: string, prices: PriceTable): Promise<UsageReport> {
  const replay = await sessionUsage(logsDir, session, { prices });
  const { state } = await replaySession(logsDir, session);
  const fromState = stateUsage(state, prices);
  const store = await open({ file: join(tempDir(), 'sat.db'), logsDir, prices });
  await store.ingestLog(logsDir);
  const summary = await store.sessionSummary({ session });
  expect(summary).not.toBeNull();

  expect(replay.apiResponses).toBeGreaterThan(0);
  expect(fromReport(fromState)).toEqual(fromReport(replay));
  expect(fromStore(summary!)).toEqual(fromReport(replay));
  expect(fromState.estimatedResponses).toBe(replay.estimatedResponses);
  expect(fromState.replacedEstimates).toBe(replay.replacedEstimates);
  expectStatusMatches(summarizeSessionState(state, prices), replay);
  return replay;
}

async function importedSessions(logsDir: string, stateDir: string, path: string): Promise<string[]> {
  const result = await importTranscripts({ paths: [path], logsDir, stateDir });
  expect(result.sessions.length).toBeGreaterThan(0);
  return result.sessions;
}

describe('replay, session state and the SQLite store agree on tokens and cost', () => {
  for (const name of Object.keys(EXPECTED)) {
    it(`${name}: in total, per agent, per model, priced or not`, async () => {
      const root = tempDir();
      const logsDir = join(root, 'logs');
      for (const session of await importedSessions(logsDir, join(root, 'state'), join(FIXTURES, name))) {
        const priced = await expectPathsAgree(logsDir, session, DEFAULT_PRICES);
        expect(priced.unknownModels).toEqual([]);
        expect(priced.cost).toBeGreaterThan(0);
        const model = Object.keys(EXPECTED[name]!.per_model)[0]!;
        const unpriced = await expectPathsAgree(logsDir, session, pricesWithout(normalizeModelId(model)));
        expect(unpriced.unknownModels).toContain(model);
        expect(unpriced.unpricedTokens).toBeGreaterThan(0);
        expect(unpriced.cost).toBeLessThan(priced.cost);
      }
    });
  }

  it('spotter/subagent.jsonl: the Task result estimate of the missing sub-agent counts in all three', async () => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    const [session] = await importedSessions(
      logsDir,
      join(root, 'state'),
      join(FIXTURES, 'spotter/subagent.jsonl'),
    );
    const usage = await expectPathsAgree(logsDir, session!, DEFAULT_PRICES);
    expect(usage.estimatedResponses).toBe(1);
    expect(usage.byAgent.Plan?.apiResponses).toBe(1);
  });

  it("a sub-agent's estimate is replaced by its own transcript, never counted twice", async () => {
    const logsDir = join(tempDir(), 'logs');
    const session = 'estimate-replaced';
    const response = (
      id: string,
      agent: string,
      source: 'transcript' | 'task_result',
      model: string,
      output: number,
      agentId?: string,
    ): NewEvent => ({
      type: 'api_response',
      session,
      agent,
      ts: '2026-02-20T10:00:00.000Z',
      data: {
        model,
        message_id: id,
        request_id: `req_${id}`,
        tokens: { input: 10, output, cacheCreation: 1000, cacheRead: 5000 },
        cache_creation_1h: 400,
        source,
        ...(agentId ? { agent_id: agentId } : {}),
      },
    });
    await writeLog(logsDir, [
      response('m1', 'main', 'transcript', 'claude-sonnet-4-5', 100),
      response('task_result:t1', 'Explore', 'task_result', 'claude-haiku-4-5', 900, 'a1'),
      response('task_result:t2', 'Plan', 'task_result', 'claude-haiku-4-5', 70, 'a2'),
      response('s1', 'Explore', 'transcript', 'claude-haiku-4-5', 300, 'a1'),
      response('s1', 'Explore', 'transcript', 'claude-haiku-4-5', 350, 'a1'),
      response('x1', 'main', 'transcript', 'claude-nova-9', 5),
    ]);
    const usage = await expectPathsAgree(logsDir, session, DEFAULT_PRICES);
    expect(usage).toMatchObject({ apiResponses: 4, estimatedResponses: 1, replacedEstimates: 1 });
    expect(usage.byAgent.Explore!.tokens.output).toBe(350);
    expect(usage.byAgent.Plan!.tokens.output).toBe(70);
    expect(usage.unknownModels).toEqual(['claude-nova-9']);
    expect(usage.unpricedTokens).toBe(10 + 5 + 1000 + 5000);
  });
});
