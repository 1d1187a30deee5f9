import { describe, expect, it } from 'vitest';
import type { AnySatEvent } from '../../src/events/envelope.js';
import type { EventPayloads } from '../../src/events/payloads.js';
import { EventWriter } from '../../src/log/event-writer.js';
import { withPriceOverrides } from '../../src/pricing/prices.js';
import { sessionOverview } from '../../src/usage/session-overview.js';
import { sessionUsage, UsageAccumulator } from '../../src/usage/session-usage.js';
import { tempDir } from '../claude-code/fixture-helpers.js';

let seq = 0;
function event<T extends AnySatEvent['type']>(type: T, data: EventPayloads[T], agent = 'main'): AnySatEvent {
  seq++;
  return {
    id: `e${seq}`,
    session: 's',
    seq,
    ts: `2026-02-10T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    type,
    agent,
    v: 1,
    data,
  } as AnySatEvent;
}

function response(
  messageId: string,
  tokens: { input: number; output: number; cacheCreation: number; cacheRead: number },
  extra: Partial<EventPayloads['api_response']> = {},
  agent = 'main',
): AnySatEvent {
  return event(
    'api_response',
    {
      model: 'claude-opus-4-6',
      message_id: messageId,
      request_id: `req_${messageId}`,
      tokens,
      source: 'transcript',
      ...extra,
    },
    agent,
  );
}

describe('UsageAccumulator', () => {
  it('counts each (message_id, request_id) once, with its largest figures', () => {
    const usage = new UsageAccumulator();
    usage.add(response('m1', { input: 3, output: 1, cacheCreation: 100, cacheRead: 0 }));
    usage.add(response('m1', { input: 3, output: 250, cacheCreation: 100, cacheRead: 0 }));
    usage.add(response('m2', { input: 1, output: 1, cacheCreation: 0, cacheRead: 10 }));
    const result = usage.result('s');
    expect(result.apiResponses).toBe(2);
    expect(result.tokens).toEqual({ input: 4, output: 251, cacheCreation: 100, cacheRead: 10 });
  });

  it('prices per model at the table rates, 1-hour cache writes at the 1-hour rate', () => {
    const usage = new UsageAccumulator();
    // opus-4-6: $5 in, $25 out, $6.25 5m write, $10 1h write, $0.50 cache read (per million).
    usage.add(
      response(
        'm1',
        { input: 1_000_000, output: 1_000_000, cacheCreation: 2_000_000, cacheRead: 1_000_000 },
        { cache_creation_1h: 1_000_000 },
      ),
    );
    usage.add(
      response(
        'm2',
        { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 },
        { model: 'claude-haiku-4-5-20251001', agent_id: 'a1' },
        'Explore',
      ),
    );
    const result = usage.result('s');
    expect(result.cost).toBeCloseTo(5 + 25 + 6.25 + 10 + 0.5 + 1, 10);
    expect(result.byAgent.main!.cost).toBeCloseTo(46.75, 10);
    expect(result.byAgent.Explore).toMatchObject({ cost: 1, apiResponses: 1, unknownModels: [] });
    expect(result.byModel['claude-haiku-4-5-20251001']!.cost).toBe(1);
    expect(result.byModel['claude-opus-4-6']!.cacheCreation1h).toBe(1_000_000);
  });

  it('lists a model with no price by name and leaves it out of the cost (never priced at zero)', () => {
    const usage = new UsageAccumulator();
    usage.add(response('m1', { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 }));
    usage.add(
      response('m2', { input: 5, output: 5, cacheCreation: 0, cacheRead: 0 }, { model: 'claude-nova-9' }),
    );
    const result = usage.result('s');
    expect(result.unknownModels).toEqual(['claude-nova-9']);
    expect(result.cost).toBe(5);
    expect(result.byModel['claude-nova-9']).toMatchObject({
      tokens: { input: 5, output: 5 },
      apiResponses: 1,
    });
    expect(result.byModel['claude-nova-9']!.cost).toBeUndefined();
    expect(result.byAgent.main!.unknownModels).toEqual(['claude-nova-9']);
    expect(result.tokens.input).toBe(1_000_005);
    // With a price from the config it is priced.
    const priced = usage.result(
      's',
      withPriceOverrides({ 'claude-nova-9': { input: 1_000_000, output: 0 } }),
    );
    expect(priced.unknownModels).toEqual([]);
    expect(priced.cost).toBe(10);
  });

  it("counts a task_result estimate only while the sub-agent's own transcript is missing", () => {
    const estimate = response(
      'task_result:toolu_1',
      { input: 3, output: 3130, cacheCreation: 892, cacheRead: 29869 },
      { source: 'task_result', agent_id: 'afb92ff', request_id: undefined },
      'Plan',
    );
    const alone = new UsageAccumulator();
    alone.add(estimate);
    expect(alone.result('s')).toMatchObject({ estimatedResponses: 1, replacedEstimates: 0, apiResponses: 1 });
    for (const order of ['estimate first', 'transcript first']) {
      const both = new UsageAccumulator();
      const own = response(
        'msg_own',
        { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 },
        { agent_id: 'afb92ff' },
        'Plan',
      );
      if (order === 'estimate first') {
        both.add(estimate);
        both.add(own);
      } else {
        both.add(own);
        both.add(estimate);
      }
      const result = both.result('s');
      expect(result, order).toMatchObject({
        estimatedResponses: 0,
        replacedEstimates: 1,
        apiResponses: 1,
        tokens: { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 },
      });
      expect(result.byAgent.Plan!.tokens).toEqual({ input: 10, output: 20, cacheCreation: 0, cacheRead: 0 });
    }
  });

  it('counts sub-agent invocations once per tool call, with their outcome', () => {
    const usage = new UsageAccumulator();
    usage.add(event('agent_invocation', { agent: 'Plan', status: 'started', tool_use_id: 't1' }, 'Plan'));
    usage.add(
      event(
        'agent_invocation',
        { agent: 'Plan', status: 'completed', success: true, duration_ms: 1000, tool_use_id: 't1' },
        'Plan',
      ),
    );
    usage.add(event('agent_invocation', { agent: 'Plan', status: 'started', tool_use_id: 't2' }, 'Plan'));
    usage.add(
      event(
        'agent_invocation',
        { agent: 'Plan', status: 'failed', success: false, duration_ms: 500, tool_use_id: 't2' },
        'Plan',
      ),
    );
    usage.add(
      event('agent_invocation', { agent: 'Explore', status: 'started', tool_use_id: 't3' }, 'Explore'),
    );
    usage.add(event('tool_usage', { tool: 'Bash', success: false }));
    usage.add(event('error', { error_type: 'exit_code_1' }));
    const result = usage.result('s');
    expect(result.agents).toEqual({
      Plan: { invocations: 2, completed: 1, failed: 1, unfinished: 0, durationMs: 1500 },
      Explore: { invocations: 1, completed: 0, failed: 0, unfinished: 1, durationMs: 0 },
    });
    expect(result).toMatchObject({ toolUses: 1, errors: 1 });
  });
});

describe('sessionUsage and sessionOverview read a session log', () => {
  it('streams the events and sums them; the overview adds what happened', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    const session = 'overview-1';
    const add = <T extends AnySatEvent['type']>(
      type: T,
      data: EventPayloads[T],
      agent = 'main',
      ts?: string,
    ) => writer.append({ type, session, data, agent, ...(ts ? { ts } : {}) });
    add(
      'session_start',
      { client: 'claude-code', cwd: '/p', git_branch: 'main' },
      'main',
      '2026-02-10T10:00:00.000Z',
    );
    add('user_prompt', { text: 'fix the tests', chars: 13 }, 'main', '2026-02-10T10:00:01.000Z');
    add('user_prompt', { text: 'now the docs', chars: 12 }, 'main', '2026-02-10T10:00:02.000Z');
    add('api_response', {
      model: 'claude-haiku-4-5',
      message_id: 'm1',
      tokens: { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 },
      source: 'transcript',
    });
    add('tool_usage', { tool: 'Bash', success: true, duration_ms: 100 });
    add('tool_usage', { tool: 'Bash', success: false, duration_ms: 50 });
    add('tool_usage', { tool: 'Edit', success: true });
    add('file_operation', { operation: 'modify', path: 'src/a.ts' });
    add('file_operation', { operation: 'read', path: 'src/b.ts' });
    add('file_operation', { operation: 'modify', path: 'src/a.ts' });
    add('error', { error_type: 'exit_code_1', message: 'Exit code 1\n2 failed' });
    add('decision', { question: 'Which DB?', selected: 'SQLite' });
    add('session_end', { reason: 'done' }, 'main', '2026-02-10T11:00:00.000Z');
    await writer.close();

    const usage = await sessionUsage(logsDir, session);
    expect(usage).toMatchObject({ cost: 1, apiResponses: 1, toolUses: 3, errors: 1 });
    const o = await sessionOverview(logsDir, session);
    expect(o).toMatchObject({
      session,
      start: '2026-02-10T10:00:00.000Z',
      end: '2026-02-10T11:00:00.000Z',
      ended: true,
      events: 13,
      client: 'claude-code',
      cwd: '/p',
      gitBranch: 'main',
      prompts: 2,
      firstPrompt: 'fix the tests',
      tools: {
        Bash: { uses: 2, failures: 1, durationMs: 150 },
        Edit: { uses: 1, failures: 0, durationMs: 0 },
      },
      filesChanged: [{ path: 'src/a.ts', operations: ['modify'], count: 2 }],
      decisions: 1,
      errorTypes: { exit_code_1: 1 },
      cost: 1,
      tokens: { input: 1_000_000, output: 0, cacheCreation: 0, cacheRead: 0 },
    });
    expect(o.firstErrors).toEqual([
      { ts: expect.any(String), agent: 'main', errorType: 'exit_code_1', message: 'Exit code 1\n2 failed' },
    ]);
  });
});
