/** The analytics store contract's query suites; each takes the store's factory. */
import { describe, expect, it } from 'vitest';
import { withPriceOverrides } from '../pricing/prices.js';
import type { AnalyticsFilters } from '../projections/analytics-filters.js';
import type { AnalyticsStore } from '../projections/analytics-store.js';
import {
  api,
  cost,
  DAY,
  events,
  HAIKU,
  NOW,
  OPUS,
  SONNET,
  type Step,
  tokens,
  UNKNOWN,
} from './analytics-store-fixtures.js';
import {
  type AnalyticsStoreFactory,
  type AnalyticsStoreSuiteOptions,
  useStoreHarness,
} from './analytics-store-harness.js';

/**
 * Registers the costs cases: tokens and cost per phase, agent and model; unknown models named, never priced at zero.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.costs(factory));
 */
export function costs(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('costs', () => {
    const { root } = useStoreHarness(factory);

    it('phase cost: tokens and cost per phase, per agent and per model; unknown models named, never priced at zero', async () => {
      const r = root();
      const store = await r.store();
      const a = tokens(1000, 500, 200, 10_000);
      const b = tokens(3000, 800);
      const c = tokens(50, 70);
      const d = tokens(400, 900, 0, 5000);
      await store.apply(
        await r.log(
          events('phased', [
            { type: 'session_start', data: { phase: 'plan', client: 'claude-code' } },
            { type: 'api_response', data: api(SONNET, a, { id: 'a' }) },
            { type: 'tool_usage', data: { tool: 'Read', success: true, duration_ms: 5 } },
            { type: 'phase', data: { phase: 'build' } },
            { type: 'tool_usage', data: { tool: 'Edit', success: true, duration_ms: 7 } },
            { type: 'api_response', agent: 'code-reviewer', data: api(OPUS, b, { id: 'b' }) },
            { type: 'api_response', data: api(UNKNOWN, c, { id: 'c' }) },
            { type: 'phase', data: { phase: 'review' } },
            { type: 'api_response', agent: 'code-reviewer', data: api(HAIKU, d, { id: 'd' }) },
          ]),
        ),
      );
      const costs = await store.costAnalysis({ now: NOW });
      expect(costs.byPhase.map((p) => [p.phase, p.responses, p.tokens.total])).toEqual([
        ['build', 2, 3000 + 800 + 50 + 70],
        ['plan', 1, 11_700],
        ['review', 1, 6300],
      ]);
      const [build, plan, review] = costs.byPhase;
      expect(plan!.cost).toBeCloseTo(cost(SONNET, a), 9);
      expect(build!.cost).toBeNull();
      expect(build!.pricedCost).toBeCloseTo(cost(OPUS, b), 9);
      expect(build!.unpricedModels).toEqual([UNKNOWN]);
      expect(review!.cost).toBeCloseTo(cost(HAIKU, d), 9);
      expect(costs.cost).toBeNull();
      expect(costs.unpricedModels).toEqual([UNKNOWN]);
      expect(costs.pricedCost).toBeCloseTo(cost(SONNET, a) + cost(OPUS, b) + cost(HAIKU, d), 9);
      expect(costs.byModel.find((m) => m.model === UNKNOWN)).toMatchObject({
        known: false,
        cost: null,
        priceKey: null,
      });
      const reviewer = costs.byAgent.find((x) => x.agent === 'code-reviewer')!;
      expect(reviewer.cost).toBeCloseTo(cost(OPUS, b) + cost(HAIKU, d), 9);
      expect(reviewer.models.map((m) => m.model)).toEqual([OPUS, HAIKU].sort());
      // A price table passed in prices the unknown model.
      const prices = withPriceOverrides({ [UNKNOWN]: { input: 2, output: 10 } });
      const priced = await store.costAnalysis({ now: NOW, prices });
      expect(priced.cost).toBeCloseTo(
        cost(SONNET, a) + cost(OPUS, b) + cost(HAIKU, d) + (50 * 2 + 70 * 10) / 1e6,
        9,
      );
      expect(priced.unpricedModels).toEqual([]);
      // A phase event sets the phase of the events after it.
      expect((await store.toolEffectiveness({ now: NOW, phase: 'plan' })).tools.map((t) => t.tool)).toEqual([
        'Read',
      ]);
      expect((await store.toolEffectiveness({ now: NOW, phase: 'build' })).tools.map((t) => t.tool)).toEqual([
        'Edit',
      ]);
      expect((await store.costAnalysis({ now: NOW, phase: 'review' })).responses).toBe(1);
      const summary = await store.sessionSummary({ now: NOW });
      expect(summary).toMatchObject({
        session: 'phased',
        phase: 'review',
        phases: ['plan', 'build', 'review'],
        client: 'claude-code',
        unpricedModels: [UNKNOWN],
        cost: null,
      });
    });
  });
}

/**
 * Registers the sub-agent tokens cases: the sub-agent token rule: task_result estimates against transcript responses, across batches.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.subAgentTokens(factory));
 */
export function subAgentTokens(
  factory: AnalyticsStoreFactory,
  _options: AnalyticsStoreSuiteOptions = {},
): void {
  describe('sub-agent tokens', () => {
    const { root } = useStoreHarness(factory);

    describe('the sub-agent token rule', () => {
      const estimate1 = tokens(5, 100);
      const estimate2 = tokens(7, 300);
      const own1 = tokens(50, 1000, 10, 2000);
      const own2 = tokens(60, 1200);
      const steps = (): Step[] => [
        { type: 'api_response', data: api(SONNET, tokens(1, 2), { id: 'main' }) },
        {
          type: 'api_response',
          agent: 'explorer',
          data: api(HAIKU, estimate1, { id: 'e1', source: 'task_result', agent_id: 'a1' }),
        },
        {
          type: 'api_response',
          agent: 'planner',
          data: api(HAIKU, estimate2, { id: 'e2', source: 'task_result', agent_id: 'a2' }),
        },
        { type: 'api_response', agent: 'explorer', data: api(HAIKU, own1, { id: 'o1', agent_id: 'a1' }) },
        { type: 'api_response', agent: 'explorer', data: api(HAIKU, own2, { id: 'o2', agent_id: 'a1' }) },
        // A task result after the sub-agent's own transcript: never counted.
        {
          type: 'api_response',
          agent: 'explorer',
          data: api(HAIKU, tokens(9, 9), { id: 'e3', source: 'task_result', agent_id: 'a1' }),
        },
      ];
      const expectRule = async (store: AnalyticsStore) => {
        const agents = (await store.agentPerformance({ now: NOW })).agents;
        const by = Object.fromEntries(agents.map((a) => [a.agent, a]));
        expect(by.explorer?.tokens).toMatchObject({
          input: 110,
          output: 2200,
          cacheCreation: 10,
          cacheRead: 2000,
        });
        expect(by.explorer?.responses).toBe(2);
        expect(by.planner?.tokens).toMatchObject({ input: 7, output: 300 });
        expect(by.planner?.responses).toBe(1);
        const costs = await store.costAnalysis({ now: NOW });
        expect(costs.responses).toBe(4);
        expect(costs.tokens.output).toBe(2 + 2200 + 300);
        const summary = await store.sessionSummary({ now: NOW, session: 'subs' });
        expect(summary?.responses).toBe(4);
      };

      it('counts a task_result estimate only while the sub-agent has no transcript response (one batch)', async () => {
        const r = root();
        const store = await r.store();
        await store.apply(await r.log(events('subs', steps())));
        await expectRule(store);
      });

      it('takes an estimate back when the transcript arrives in a later batch', async () => {
        const r = root();
        const store = await r.store();
        const all = await r.log(events('subs', steps()));
        await store.apply(all.slice(0, 3));
        expect((await store.costAnalysis({ now: NOW })).tokens.output).toBe(2 + 100 + 300);
        for (const event of all.slice(3)) await store.apply([event]);
        await expectRule(store);
        const rebuilt = await r.store(1);
        await rebuilt.rebuild();
        await expectRule(rebuilt);
      });

      it('counts a response recorded twice once, with its largest figures', async () => {
        const r = root();
        const store = await r.store();
        await store.apply(
          await r.log(
            events('twice', [
              { type: 'api_response', data: api(SONNET, tokens(10, 20), { id: 'x' }) },
              { type: 'api_response', data: api(SONNET, tokens(10, 500, 30), { id: 'x' }) },
            ]),
          ),
        );
        const costs = await store.costAnalysis({ now: NOW });
        expect(costs.responses).toBe(1);
        expect(costs.tokens).toMatchObject({ input: 10, output: 500, cacheCreation: 30 });
      });
    });
  });
}

/**
 * Registers the filters cases: days, session, phase and agent filters; per-session rows agree with the rollups.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.filters(factory));
 */
export function filters(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('filters', () => {
    const { root, realisticLog } = useStoreHarness(factory);

    it('a session filter gives the same figures from per-session rows as the rollups give for the whole store', async () => {
      const r = root();
      const store = await r.store();
      const all = (await realisticLog(r)).filter((e) => e.session === 'real-0');
      await store.apply(all);
      const whole = { now: NOW, days: 'all' as const };
      const one = { ...whole, session: 'real-0' };
      const strip = <T extends { filters: unknown }>(result: T) => ({ ...result, filters: undefined });
      expect(strip(await store.toolEffectiveness(one))).toEqual(strip(await store.toolEffectiveness(whole)));
      expect(strip(await store.agentPerformance(one))).toEqual(strip(await store.agentPerformance(whole)));
      expect(strip(await store.errorPatterns(one))).toEqual(strip(await store.errorPatterns(whole)));
      expect(strip(await store.costAnalysis(one))).toEqual(strip(await store.costAnalysis(whole)));
    });

    it('filters: days, session, phase and agent', async () => {
      const r = root();
      const store = await r.store();
      const tool = (name: string, agent = 'main'): Step => ({
        type: 'tool_usage',
        agent,
        data: { tool: name, success: name !== 'Bash', duration_ms: 100 },
      });
      await store.apply(
        await r.log([
          ...events('old', [
            { ...tool('Read'), ago: 40 * DAY },
            { ...tool('Grep', 'explorer'), ago: 40 * DAY - 1000 },
          ]),
          ...events('new', [
            { type: 'session_start', data: { phase: 1 }, ago: DAY },
            { ...tool('Bash'), ago: DAY - 1000 },
            { type: 'phase', data: { phase: 2 }, ago: DAY - 2000 },
            { ...tool('Edit', 'code-reviewer'), ago: DAY - 3000 },
            {
              type: 'agent_invocation',
              ago: DAY - 4000,
              data: {
                agent: 'code-reviewer',
                invoked_by: 'main',
                status: 'completed',
                success: true,
                duration_ms: 5,
              },
            },
            {
              type: 'error',
              agent: 'code-reviewer',
              ago: DAY - 5000,
              data: { error_type: 'LintError', message: 'lint: 2 problems' },
            },
            {
              type: 'api_response',
              agent: 'code-reviewer',
              ago: DAY - 6000,
              data: api(SONNET, tokens(1, 1), { id: 'f' }),
            },
          ]),
        ]),
      );
      const tools = async (filters: AnalyticsFilters) =>
        (await store.toolEffectiveness({ now: NOW, ...filters })).tools.map((t) => t.tool).sort();
      expect(await tools({})).toEqual(['Bash', 'Edit']);
      expect(await tools({ days: 'all' })).toEqual(['Bash', 'Edit', 'Grep', 'Read']);
      expect(await tools({ days: 41 })).toEqual(['Bash', 'Edit', 'Grep', 'Read']);
      expect(await tools({ days: 39 })).toEqual(['Bash', 'Edit']);
      expect(await tools({ days: 1 })).toEqual([]);
      expect(await tools({ days: 2 })).toEqual(['Bash', 'Edit']);
      expect(await tools({ session: 'old' })).toEqual(['Grep', 'Read']);
      expect(await tools({ session: 'old', days: 30 })).toEqual([]);
      expect(await tools({ session: 'missing' })).toEqual([]);
      expect(await tools({ phase: 1 })).toEqual(['Bash']);
      expect(await tools({ phase: '2' })).toEqual(['Edit']);
      expect(await tools({ phase: 3 })).toEqual([]);
      expect(await tools({ agent: 'code-reviewer' })).toEqual(['Edit']);
      expect(await tools({ agent: 'explorer', days: 'all' })).toEqual(['Grep']);
      expect(await tools({ agent: 'nobody' })).toEqual([]);
      expect(await tools({ session: 'new', phase: 2, agent: 'code-reviewer' })).toEqual(['Edit']);
      const agents = await store.agentPerformance({ now: NOW, agent: 'code-reviewer' });
      expect(agents.agents.map((a) => [a.agent, a.invocations, a.responses])).toEqual([
        ['code-reviewer', 1, 1],
      ]);
      expect((await store.agentPerformance({ now: NOW, phase: 1 })).agents).toEqual([]);
      expect((await store.errorPatterns({ now: NOW, phase: 2 })).totals.errors).toBe(1);
      expect((await store.errorPatterns({ now: NOW, agent: 'main' })).totals.errors).toBe(0);
      expect((await store.costAnalysis({ now: NOW, agent: 'main' })).responses).toBe(0);
      expect((await store.costAnalysis({ now: NOW, session: 'new', phase: 2 })).responses).toBe(1);
      const summary = await store.sessionSummary({ now: NOW, session: 'new', agent: 'code-reviewer' });
      expect(summary?.tools.map((t) => t.tool)).toEqual(['Edit']);
      expect(summary?.events).toBe(7);
      expect((await store.sessionSummary({ now: NOW }))?.session).toBe('new');
      expect((await store.sessionSummary({ now: NOW, session: 'old' }))?.session).toBe('old');
      await expect(store.toolEffectiveness({ days: 0 })).rejects.toMatchObject({ code: 'USAGE' });
      await expect(store.toolEffectiveness({ days: 1.5 })).rejects.toThrow(/days=1.5/);
    });
  });
}

/**
 * Registers the error patterns cases: fingerprints across sessions, recurrence and resolution.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.errors(factory));
 */
export function errors(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('error patterns', () => {
    const { root } = useStoreHarness(factory);

    it('errors: fingerprints group the same error across sessions; recurrence and resolution', async () => {
      const r = root();
      const store = await r.store();
      const error = (message: string, fixed?: boolean): Step => ({
        type: 'error',
        data: {
          error_type: 'ENOENT',
          message,
          ...(fixed === undefined ? {} : { attempted_fix: 'create it', fix_successful: fixed }),
        },
      });
      await store.apply(
        await r.log([
          ...events('e1', [
            error("ENOENT: no such file or directory, open '/tmp/a1/x.ts'", true),
            error('exit code 2'),
          ]),
          ...events('e2', [error("ENOENT: no such file or directory, open '/home/u/y.ts'", false)]),
          ...events('e3', [error("ENOENT: no such file or directory, open 'src/z.ts'")]),
        ]),
      );
      const errors = await store.errorPatterns({ now: NOW });
      expect(errors.byFingerprint.map((f) => [f.pattern, f.errors, f.sessions, f.recurring])).toEqual([
        ["ENOENT: no such file or directory, open '<path>'", 3, 3, true],
        ['exit code <n>', 1, 1, false],
      ]);
      expect(errors.byFingerprint[0]).toMatchObject({
        fixAttempted: 2,
        fixed: 1,
        resolutionRate: 0.333333,
        fixSuccessRate: 0.5,
      });
      expect(errors.byType).toMatchObject([{ errorType: 'ENOENT', errors: 4, sessions: 3, fingerprints: 2 }]);
      expect(errors.totals).toMatchObject({ errors: 4, sessions: 3, recurring: true, fixed: 1 });
    });
  });
}

/**
 * Registers the session summary cases: one session with its agents, tools, errors and files.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.sessions(factory));
 */
export function sessions(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('session summary', () => {
    const { root } = useStoreHarness(factory);

    it('sessions: summary with agents, tools, errors and files', async () => {
      const r = root();
      const store = await r.store();
      const hashA = 'a'.repeat(40);
      await store.apply(
        await r.log(
          events('work', [
            {
              type: 'session_start',
              data: { client: 'claude-code', model: SONNET, cwd: '/p', git_branch: 'main' },
            },
            {
              type: 'agent_invocation',
              agent: 'code-reviewer',
              data: { agent: 'code-reviewer', status: 'started', tool_use_id: 't1' },
            },
            { type: 'file_operation', agent: 'code-reviewer', data: { operation: 'read', path: 'src/a.ts' } },
            { type: 'file_operation', data: { operation: 'modify', path: 'src/a.ts', git_hash: hashA } },
            { type: 'file_operation', data: { operation: 'create', path: 'src/b.ts' } },
            {
              type: 'agent_invocation',
              agent: 'code-reviewer',
              data: { agent: 'code-reviewer', status: 'completed', tool_use_id: 't1' },
            },
            { type: 'decision', data: { question: 'Which DB?', selected: 'SQLite' } },
            {
              type: 'validation',
              data: { task: 'tests', checks: [{ name: 'unit', passed: false }], result: 'fail' },
            },
            { type: 'session_end', data: { reason: 'exit' } },
          ]),
        ),
      );
      const s = await store.sessionSummary({ now: NOW, session: 'work' });
      expect(s).toMatchObject({
        status: 'ended',
        client: 'claude-code',
        model: SONNET,
        cwd: '/p',
        gitBranch: 'main',
        events: 9,
        decisions: 1,
        validations: { total: 1, failed: 1 },
        durationMs: 8000,
      });
      expect(s?.agents).toMatchObject([
        // Paired by tool_use_id: one invocation, its duration from start to end.
        {
          agent: 'code-reviewer',
          invocations: 1,
          completed: 1,
          successes: 1,
          durationMs: { count: 1, avg: 4000 },
        },
      ]);
      expect(s?.files).toEqual([
        {
          path: 'src/b.ts',
          operations: 1,
          byOperation: { create: 1 },
          lastOperation: 'create',
          lastAt: s!.files[0]!.lastAt,
          gitHash: null,
          agents: ['main'],
        },
        {
          path: 'src/a.ts',
          operations: 2,
          byOperation: { read: 1, modify: 1 },
          lastOperation: 'modify',
          lastAt: s!.files[1]!.lastAt,
          gitHash: hashA,
          agents: ['code-reviewer', 'main'],
        },
      ]);
    });
  });
}
