/**
 * Replaying a session's log (`sessionUsage`: `sat show`) and folding it into a session state
 * (`stateUsage` / `summarizeSessionState`: `sat status`, snapshots, handoffs) give the same usage
 * model. The third path, the analytics store (`sat stats session`), is checked against both in
 * packages/store-sqlite/test/usage-paths-agree.test.ts: core cannot depend on a store.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTranscripts } from '../../src/capture/transcript-import.js';
import type { AnySatEvent } from '../../src/events/envelope.js';
import { realisticSessionEvents } from '../../src/fixtures/realistic-sessions.js';
import { readSessionEvents } from '../../src/log/event-reader.js';
import { EventWriter } from '../../src/log/event-writer.js';
import { DEFAULT_PRICES } from '../../src/pricing/prices.js';
import { replaySession } from '../../src/session-state/log-replay.js';
import { reduceSession } from '../../src/session-state/reduce-session.js';
import { emptySessionState, STATE_LIMITS } from '../../src/session-state/session-state.js';
import { stateUsage, summarizeSessionState } from '../../src/session-state/session-summary.js';
import { sessionUsage, UsageAccumulator } from '../../src/usage/session-usage.js';
import { FIXTURES_DIR, loadExpected, tempDir } from '../claude-code/fixture-helpers.js';

const expected = loadExpected();

describe('replay and session state give the same usage model', () => {
  for (const name of Object.keys(expected)) {
    it(`${name}: tokens, cost per agent and per model, estimates`, async () => {
      const root = tempDir();
      const logsDir = join(root, 'logs');
      const { sessions } = await importTranscripts({
        paths: [join(FIXTURES_DIR, name)],
        logsDir,
        stateDir: join(root, 'state'),
      });
      expect(sessions.length).toBeGreaterThan(0);
      for (const session of sessions) {
        const replay = await sessionUsage(logsDir, session);
        const { state } = await replaySession(logsDir, session);
        const { session: _s, toolUses: _t, errors: _e, agents: _a, ...report } = replay;
        expect(stateUsage(state)).toEqual(report);
        const summary = summarizeSessionState(state, DEFAULT_PRICES);
        expect(summary).toMatchObject({
          tokens: replay.tokens,
          totalTokens: replay.totalTokens,
          cost: replay.cost,
          unknownModels: replay.unknownModels,
          unpricedTokens: replay.unpricedTokens,
          estimatedResponses: replay.estimatedResponses,
          byAgent: replay.byAgent,
        });
        expect(replay.apiResponses - replay.estimatedResponses).toBe(expected[name]!.api_responses);
      }
    });
  }

  it('on realistic sessions with sub-agents and missing transcripts (50 random streams)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const session = `s${seed}`;
      const usage = new UsageAccumulator();
      let state = emptySessionState(session);
      let seq = 0;
      for (const e of realisticSessionEvents({ session, seed, apiResponseShare: 0.4 }, 300)) {
        seq++;
        const event = {
          ...e,
          id: `e${seq}`,
          seq,
          v: 1,
          agent: e.agent ?? 'main',
          ts: String(e.ts),
        } as AnySatEvent;
        usage.add(event);
        state = reduceSession(state, event);
      }
      const { session: _s, toolUses: _t, errors: _e, agents: _a, ...report } = usage.result(session);
      expect(report.apiResponses, `seed ${seed}`).toBeGreaterThan(0);
      expect(stateUsage(state), `seed ${seed}`).toEqual(report);
    }
  });

  it('a response first recorded without its model moves to its model once known, in both', async () => {
    const logsDir = join(tempDir(), 'logs');
    const writer = new EventWriter({ logsDir });
    const tokens = (output: number) => ({ input: 1, output, cacheCreation: 0, cacheRead: 0 });
    for (const [model, output] of [
      ['unknown', 5],
      ['claude-haiku-4-5', 50],
    ] as const)
      writer.append({
        type: 'api_response',
        session: 'm',
        data: {
          model,
          message_id: 'msg_1',
          request_id: 'req_1',
          tokens: tokens(output),
          source: 'transcript',
        },
      });
    await writer.close();
    const replay = await sessionUsage(logsDir, 'm');
    let state = emptySessionState('m');
    for await (const event of readSessionEvents(logsDir, 'm')) state = reduceSession(state, event);
    expect(Object.keys(replay.byModel)).toEqual(['claude-haiku-4-5']);
    expect(replay).toMatchObject({ apiResponses: 1, unknownModels: [], tokens: tokens(50) });
    const { session: _s, toolUses: _t, errors: _e, agents: _a, ...report } = replay;
    expect(stateUsage(state)).toEqual(report);
  });

  it("Claude Code's records (OTel) agree with replay in any order, also past the state's pending limit", () => {
    const tokens = (output: number) => ({ input: 3, output, cacheCreation: 100, cacheRead: 2000 });
    const otel = (n: number) => ({
      type: 'api_response' as const,
      data: {
        model: 'claude-sonnet-4-5',
        message_id: `req_${n}`,
        request_id: `req_${n}`,
        tokens: tokens(40 + n),
        source: 'otel' as const,
        ...(n % 3 === 0 ? {} : { cost_usd: 0.001 * (n + 1) }),
      },
    });
    const transcript = (n: number) => ({
      type: 'api_response' as const,
      data: {
        model: 'claude-sonnet-4-5',
        message_id: `msg_${n}`,
        request_id: `req_${n}`,
        tokens: tokens(50 + n),
        source: 'transcript' as const,
      },
    });
    const streams = {
      'records only, more than STATE_LIMITS.otelPending': Array.from({ length: 600 }, (_, n) => otel(n)),
      'each record, then its transcript line': Array.from({ length: 300 }, (_, n) => [
        otel(n),
        transcript(n),
      ]).flat(),
      'each transcript line, then its record': Array.from({ length: 300 }, (_, n) => [
        transcript(n),
        otel(n),
      ]).flat(),
      'records, some never joined': Array.from({ length: 40 }, (_, n) =>
        n % 4 ? [otel(n), transcript(n)] : [otel(n)],
      ).flat(),
    };
    for (const [name, drafts] of Object.entries(streams)) {
      const usage = new UsageAccumulator();
      let state = emptySessionState('o');
      drafts.forEach((draft, i) => {
        const event = {
          ...draft,
          id: `e${i}`,
          seq: i + 1,
          v: 2,
          session: 'o',
          agent: 'main',
          ts: '2026-12-01T10:00:00.000Z',
        } as AnySatEvent;
        usage.add(event);
        state = reduceSession(state, event);
      });
      const { session: _s, toolUses: _t, errors: _e, agents: _a, ...report } = usage.result('o');
      const fromState = stateUsage(state);
      expect(fromState.apiResponses, name).toBe(report.apiResponses);
      expect(fromState.tokens, name).toEqual(report.tokens);
      expect(fromState.cost, name).toBeCloseTo(report.cost, 9);
      expect(fromState.claudeCodeCostResponses, name).toBe(report.claudeCodeCostResponses);
      expect(fromState.costSource, name).toBe(report.costSource);
      expect(state.tokens.otelPending.length, name).toBeLessThanOrEqual(STATE_LIMITS.otelPending);
    }
  });
});
