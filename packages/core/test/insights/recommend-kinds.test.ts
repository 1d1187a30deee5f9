import { describe, expect, it } from 'vitest';
import {
  type Recommendation,
  type RecurringError,
  recommend,
  type SessionDigest,
} from '../../src/insights/index.js';

const zero = { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 };

function digest(session: string, parts: Partial<SessionDigest>): SessionDigest {
  return {
    session,
    startedAt: 0,
    endedAt: 3_600_000,
    day: '2026-02-01',
    phases: ['p'],
    events: 1000,
    toolCalls: 0,
    toolFailures: 0,
    filesChanged: 0,
    fileChanges: [],
    activeMs: 0,
    tasks: { todos: 0, subAgentRuns: 0 },
    taskRuns: [],
    failurePairs: [],
    errors: [],
    tools: [],
    agents: [],
    usage: [],
    contextPeak: { tokens: 0, at: 0, window: 0 },
    contextLimitHits: [],
    ...parts,
  };
}

const calls = (tool: string, agent: string, uses: number, failures: number, ms: number) => ({
  tool,
  agent,
  uses,
  failures,
  durations: Array.from({ length: uses }, () => ms),
});

const kinds = (digests: SessionDigest[], recurring: RecurringError[] = []): Recommendation[] =>
  recommend({ digests, recurring }).recommendations;

describe('each kind of recommendation fires on data that supports it, and only then', () => {
  it('a sub-agent failing a tool more than the other agents', () => {
    const fires = kinds([
      digest('a', {
        tools: [calls('Bash', 'test-runner', 30, 12, 2000), calls('Bash', 'main', 100, 5, 2000)],
      }),
    ]);
    expect(fires.map((r) => r.kind)).toEqual(['agent_tool_failures']);
    expect(fires[0]!.text).toContain('test-runner fails Bash 40% of the time (12 of 30 calls) against 5.0%');
    expect(fires[0]!.impact.ms).toBe(Math.round(0.35 * 30) * 2000);
    const close = kinds([
      digest('a', {
        tools: [calls('Bash', 'test-runner', 30, 3, 2000), calls('Bash', 'main', 100, 5, 2000)],
      }),
    ]);
    expect(close).toEqual([]);
  });

  it('an error that recurs after the same kind of edit', () => {
    const row = (afterEdit: number): RecurringError => ({
      fingerprint: '0123456789abcdef',
      errorType: 'TypeScript',
      pattern: 'TS2307: Cannot find module <name>',
      example: "TS2307: Cannot find module './x'",
      sessions: ['a', 'b', 'c'],
      agents: ['main'],
      occurrences: 5,
      firstSeen: '2026-02-01T00:00:00.000Z',
      lastSeen: '2026-02-03T00:00:00.000Z',
      resolved: 5,
      resolutionRate: 1,
      medianTimeToResolutionMs: 60_000,
      afterEdit: { kind: 'modify *.json', occurrences: afterEdit },
    });
    const fires = kinds([digest('a', {})], [row(4)]);
    expect(fires).toHaveLength(1);
    expect(fires[0]).toMatchObject({
      kind: 'error_after_edit',
      evidence: { afterEdit: 'modify *.json', afterEditOccurrences: 4 },
    });
    expect(fires[0]!.text).toContain(
      '4 of them right after a "modify *.json" edit (median 1.0 min to resolve)',
    );
    expect(fires[0]!.impact.ms).toBe(5 * 60_000);
    expect(kinds([digest('a', {})], [row(2)])).toEqual([]);
  });

  it('a tool that is slow and called often', () => {
    const others = [
      calls('Read', 'main', 60, 0, 40),
      calls('Grep', 'main', 60, 0, 100),
      calls('Edit', 'main', 60, 0, 70),
    ];
    const fires = kinds([digest('a', { tools: [calls('Bash', 'main', 60, 0, 3000), ...others] })]);
    expect(fires.map((r) => r.kind)).toEqual(['slow_tool']);
    expect(fires[0]!.evidence).toMatchObject({ tool: 'Bash', uses: 60, p50Ms: 3000, typicalP50Ms: 85 });
    expect(fires[0]!.impact.ms).toBe(60 * (3000 - 85));
    expect(kinds([digest('a', { tools: [calls('Bash', 'main', 60, 0, 150), ...others] })])).toEqual([]);
  });

  it('a model that could be swapped for sub-agent work that always succeeds', () => {
    const runs = (failures: number): Partial<SessionDigest> => ({
      agents: [
        { agent: 'code-reviewer', invocations: 12, successes: 12 - failures, failures, durations: [] },
      ],
      taskRuns: Array.from({ length: 12 }, (_, i) => ({
        agent: 'code-reviewer',
        task: 'Review',
        agentId: `r${i}`,
        phase: 'p',
        at: 0,
        success: i >= failures,
        usage: [{ model: 'claude-opus-4-6', tokens: { ...zero, input: 100_000, output: 5_000 } }],
      })),
    });
    const fires = kinds([digest('a', runs(0))]);
    expect(fires.map((r) => r.kind)).toEqual(['model_swap']);
    expect(fires[0]!.evidence).toMatchObject({
      agent: 'code-reviewer',
      model: 'claude-opus-4-6',
      runs: 12,
      cheaperModel: 'claude-haiku-4-5',
    });
    expect(fires[0]!.impact.usd).toBeCloseTo(
      Number(fires[0]!.evidence.costUsd) - Number(fires[0]!.evidence.cheaperCostUsd),
      3,
    );
    expect(fires[0]!.text).toContain('set its model to claude-haiku-4-5');
    expect(kinds([digest('a', runs(1))])).toEqual([]);
  });

  it('cache writes that are not read back', () => {
    const usage = (read: number) => [
      {
        agent: 'planner',
        model: 'claude-sonnet-4-5',
        phase: 'p',
        day: '2026-02-01',
        responses: 10,
        tokens: { ...zero, cacheCreation: 200_000, cacheRead: read },
      },
    ];
    const fires = kinds([digest('a', { usage: usage(10_000) })]);
    expect(fires.map((r) => r.kind)).toEqual(['cache_unused']);
    expect(fires[0]!.text).toContain(
      'wrote 200,000 tokens to the prompt cache but read only 10,000 back (20.0x)',
    );
    expect(fires[0]!.impact.usd).toBeCloseTo((190_000 * (3.75 - 3)) / 1e6, 6);
    expect(kinds([digest('a', { usage: usage(150_000) })])).toEqual([]);
  });

  it('sessions that hit the context limit, and what filled them', () => {
    const hit = {
      at: 1000,
      tokens: 190_000,
      window: 200_000,
      filledBy: [
        { tool: 'Read', calls: 80 },
        { tool: 'Grep', calls: 30 },
      ],
    };
    const fires = kinds([digest('a', { contextLimitHits: [hit] }), digest('b', {})]);
    expect(fires.map((r) => r.kind)).toEqual(['context_limit']);
    expect(fires[0]!.text).toContain(
      '1 session(s) hit the context limit 1 time(s); before it, Read (80 calls) and Grep (30 calls) filled the context',
    );
    expect(kinds([digest('a', {}), digest('b', {})])).toEqual([]);
  });
});
