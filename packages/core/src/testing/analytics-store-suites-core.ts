/** The analytics store contract's write-side suites; each takes the store's factory. */
import { describe, expect, it } from 'vitest';
import type { AnySatEvent } from '../events/envelope.js';
import {
  api,
  batches,
  cost,
  DAY,
  events,
  hash,
  NOW,
  SONNET,
  snapshot,
  tokens,
} from './analytics-store-fixtures.js';
import {
  type AnalyticsStoreFactory,
  type AnalyticsStoreSuiteOptions,
  useStoreHarness,
} from './analytics-store-harness.js';

/**
 * Registers the capabilities cases: the declared capabilities and optional methods.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.capabilities(factory));
 */
export function capabilities(factory: AnalyticsStoreFactory, options: AnalyticsStoreSuiteOptions = {}): void {
  describe('capabilities', () => {
    const { root } = useStoreHarness(factory);

    it('declares its capabilities', async () => {
      const store = await root().store();
      const caps = store.capabilities;
      expect(typeof store.name).toBe('string');
      for (const key of ['ingestLog', 'status', 'persistent', 'multiProcess', 'atomicRebuild'] as const)
        expect(typeof caps[key]).toBe('boolean');
      expect(caps.percentileRelativeError).toBeGreaterThanOrEqual(0);
      expect(caps.percentileRelativeError).toBeLessThan(0.1);
      expect(typeof store.ingestLog).toBe(caps.ingestLog ? 'function' : 'undefined');
      expect(typeof store.status).toBe(caps.status ? 'function' : 'undefined');
      expect(caps, 'the capabilities declared in the contract options').toMatchObject(
        options.capabilities ?? {},
      );
    });
  });
}

/**
 * Registers the empty and single-event stores cases: every query on an empty store, and on a store with one event of each kind.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.emptyAndSingle(factory));
 */
export function emptyAndSingle(
  factory: AnalyticsStoreFactory,
  _options: AnalyticsStoreSuiteOptions = {},
): void {
  describe('empty and single-event stores', () => {
    const { root } = useStoreHarness(factory);

    it('answers every query on an empty store', async () => {
      const store = await root().store();
      const q = { now: NOW };
      const agents = await store.agentPerformance(q);
      expect(agents.agents).toEqual([]);
      expect(agents.filters).toMatchObject({
        days: 30,
        from: '2026-01-31',
        session: null,
        phase: null,
        agent: null,
      });
      expect(await store.toolEffectiveness(q)).toMatchObject({ tools: [], agents: [], toolsByAgent: [] });
      const errors = await store.errorPatterns(q);
      expect(errors.byFingerprint).toEqual([]);
      expect(errors.byType).toEqual([]);
      expect(errors.totals).toMatchObject({ errors: 0, sessions: 0, recurring: false, resolutionRate: null });
      expect(await store.sessionSummary(q)).toBeNull();
      expect(await store.sessionSummary({ ...q, session: 'nope' })).toBeNull();
      const costs = await store.costAnalysis(q);
      expect(costs).toMatchObject({
        cost: 0,
        pricedCost: 0,
        unpricedModels: [],
        responses: 0,
        byPhase: [],
        byAgent: [],
        byModel: [],
      });
      expect(costs.tokens.total).toBe(0);
      expect((await store.rebuild()).events).toBe(0);
    });

    describe('a store with a single event', () => {
      it('a tool call', async () => {
        const r = root();
        const store = await r.store();
        const [event] = await r.log(
          events('one', [
            {
              type: 'tool_usage',
              data: { tool: 'Bash', success: true, duration_ms: 1234, parameters: { command: 'pnpm test' } },
            },
          ]),
        );
        expect(await store.apply([event!])).toEqual({ applied: 1, duplicates: 0, sessions: 1 });
        const q = { now: NOW };
        const tools = await store.toolEffectiveness(q);
        expect(tools.tools).toEqual([
          {
            tool: 'Bash',
            uses: 1,
            successes: 1,
            failures: 0,
            successRate: 1,
            durationMs: { count: 1, avg: 1234, p50: 1234, p95: 1234, min: 1234, max: 1234 },
          },
        ]);
        expect(tools.agents.map((a) => [a.agent, a.uses])).toEqual([['main', 1]]);
        expect((await store.agentPerformance(q)).agents).toEqual([]);
        expect((await store.errorPatterns(q)).totals.errors).toBe(0);
        expect((await store.costAnalysis(q)).responses).toBe(0);
        const summary = await store.sessionSummary(q);
        expect(summary).toMatchObject({
          session: 'one',
          status: 'active',
          events: 1,
          startedAt: null,
          phase: null,
          phases: [],
          eventCounts: { tool_usage: 1 },
          durationMs: 0,
          responses: 0,
          cost: 0,
          errors: [],
          files: [],
          agents: [],
        });
        expect(summary?.tools.map((t) => [t.tool, t.uses, t.durationMs.p50])).toEqual([['Bash', 1, 1234]]);
      });

      it('an error', async () => {
        const r = root();
        const store = await r.store();
        await store.apply(
          await r.log(
            events('one', [
              {
                type: 'error',
                agent: 'test-runner',
                data: {
                  error_type: 'Timeout',
                  message: 'Test timed out after 5000ms',
                  attempted_fix: 'retry',
                  fix_successful: true,
                },
              },
            ]),
          ),
        );
        const errors = await store.errorPatterns({ now: NOW });
        expect(errors.totals).toMatchObject({
          errors: 1,
          sessions: 1,
          recurring: false,
          fixAttempted: 1,
          fixed: 1,
          resolutionRate: 1,
        });
        expect(errors.byType).toMatchObject([{ errorType: 'Timeout', errors: 1, fingerprints: 1 }]);
        expect(errors.byFingerprint).toMatchObject([
          {
            errorType: 'Timeout',
            pattern: 'Test timed out after <n>',
            sample: 'Test timed out after 5000ms',
            errors: 1,
          },
        ]);
        expect(errors.byFingerprint[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
        expect((await store.sessionSummary({ now: NOW }))?.errors).toHaveLength(1);
        expect((await store.toolEffectiveness({ now: NOW })).tools).toEqual([]);
      });

      it('a days range that ends in the past keeps only its own days', async () => {
        const r = root();
        const store = await r.store();
        const call = (ago: number) => ({
          type: 'tool_usage' as const,
          ago,
          data: { tool: 'Bash', duration_ms: 100, success: true },
        });
        await store.apply(await r.log(events('range', [call(9 * DAY), call(5 * DAY), call(1 * DAY)])));
        const uses = async (days: number, endAgo: number) =>
          (await store.toolEffectiveness({ days, now: NOW - endAgo })).tools[0]?.uses ?? 0;
        expect(await uses(3, 0)).toBe(1);
        expect(await uses(3, 3 * DAY)).toBe(1);
        expect(await uses(7, 3 * DAY)).toBe(2);
        expect(await uses(3, 10 * DAY)).toBe(0);
        const filters = (await store.toolEffectiveness({ days: 3, now: NOW - 3 * DAY })).filters;
        expect(filters).toMatchObject({ from: '2026-02-24', toDay: Math.floor((NOW - 3 * DAY) / DAY) });
      });

      it('an agent invocation', async () => {
        const r = root();
        const store = await r.store();
        await store.apply(
          await r.log(
            events('one', [
              {
                type: 'agent_invocation',
                data: {
                  agent: 'code-reviewer',
                  invoked_by: 'main',
                  status: 'completed',
                  success: false,
                  duration_ms: 90_000,
                },
              },
            ]),
          ),
        );
        const [row, ...rest] = (await store.agentPerformance({ now: NOW })).agents;
        expect(rest).toEqual([]);
        expect(row).toMatchObject({
          agent: 'code-reviewer',
          invocations: 1,
          completed: 1,
          successes: 0,
          failures: 1,
          successRate: 0,
          durationMs: { count: 1, avg: 90_000, p50: 90_000, p95: 90_000 },
          responses: 0,
          cost: 0,
        });
      });

      it('an API response', async () => {
        const r = root();
        const store = await r.store();
        const t = tokens(1000, 2000, 3000, 40_000);
        await store.apply(
          await r.log(events('one', [{ type: 'api_response', data: api(SONNET, t, { id: '1' }) }])),
        );
        const costs = await store.costAnalysis({ now: NOW });
        expect(costs.responses).toBe(1);
        expect(costs.tokens).toEqual({
          input: 1000,
          output: 2000,
          cacheCreation: 3000,
          cacheCreation1h: 0,
          cacheRead: 40_000,
          total: 46_000,
        });
        expect(costs.cost).toBeCloseTo(cost(SONNET, t), 9);
        expect(costs.byPhase).toMatchObject([{ phase: null, responses: 1 }]);
        expect(costs.byModel).toMatchObject([{ model: SONNET, priceKey: 'claude-sonnet-4-5', known: true }]);
        const [agent] = (await store.agentPerformance({ now: NOW })).agents;
        expect(agent).toMatchObject({
          agent: 'main',
          invocations: 0,
          responses: 1,
          tokens: { total: 46_000 },
        });
        expect(agent?.cost).toBeCloseTo(cost(SONNET, t), 9);
      });
    });
  });
}

/**
 * Registers the idempotence cases: re-applying the same events changes no result.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.idempotence(factory));
 */
export function idempotence(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('idempotence', () => {
    const { root, realisticLog } = useStoreHarness(factory);

    it('ingest is idempotent: re-applying the same events changes no result', async () => {
      const r = root();
      const store = await r.store();
      const all = await realisticLog(r);
      const sessions = [...new Set(all.map((e) => e.session))];
      const first = await store.apply(all);
      expect(first).toEqual({ applied: all.length, duplicates: 0, sessions: sessions.length });
      const before = hash(await snapshot(store, sessions));
      expect(await store.apply(all)).toEqual({ applied: 0, duplicates: all.length, sessions: 0 });
      for (const batch of batches(all, 7)) await store.apply(batch);
      async function* again() {
        yield* all.slice(0, 50);
      }
      expect((await store.apply(again())).duplicates).toBe(50);
      if (store.ingestLog) expect((await store.ingestLog(r.logsDir)).applied).toBe(0);
      expect(hash(await snapshot(store, sessions))).toBe(before);
    });
  });
}

/**
 * Registers the rebuild cases: a rebuild from the log gives every query result incremental ingestion gave.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.rebuild(factory));
 */
export function rebuild(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('rebuild', () => {
    const { root, realisticLog } = useStoreHarness(factory);

    it('rebuild equals incremental: every query result is identical', async () => {
      const r = root();
      const all = await realisticLog(r);
      const sessions = [...new Set(all.map((e) => e.session))];
      const incremental = await r.store(0);
      // Sessions in the reverse order of the log (each in seq order): order must not matter.
      const reversed = [...sessions].reverse().flatMap((session) => all.filter((e) => e.session === session));
      for (const batch of batches(reversed, 3)) await incremental.apply(batch);
      const expected = await snapshot(incremental, sessions);
      const rebuilt = await r.store(1);
      const result = await rebuilt.rebuild();
      expect(result.events).toBe(all.length);
      expect(result.sessions).toBe(sessions.length);
      expect(hash(await snapshot(rebuilt, sessions))).toBe(hash(expected));
      await incremental.rebuild();
      expect(hash(await snapshot(incremental, sessions))).toBe(hash(expected));
      // And the figures are not trivially empty.
      const costs = await incremental.costAnalysis({ now: NOW, days: 'all' });
      expect(costs.byPhase.map((p) => p.phase)).toEqual(['1', '2']);
      expect((await incremental.toolEffectiveness({ now: NOW, days: 'all' })).tools.length).toBeGreaterThan(
        5,
      );
    });
  });
}

/**
 * Registers the projection versions cases: a raised projection version rebuilds that projection when the store opens (needs capabilities.persistent).
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.versions(factory));
 */
export function versions(factory: AnalyticsStoreFactory, options: AnalyticsStoreSuiteOptions = {}): void {
  describe('projection versions', () => {
    const { root } = useStoreHarness(factory);

    it.skipIf(options.capabilities?.persistent === false)(
      'a projection version bump rebuilds that projection from the log, and only it (capabilities.persistent)',
      async () => {
        const r = root();
        const probe = await r.store(9);
        expect(
          probe.capabilities.persistent,
          'a store that is not persistent declares { capabilities: { persistent: false } } in its contract options',
        ).toBe(true);
        await r.close(probe);
        let store = await r.store();
        await store.apply(
          await r.log(
            events('logged', [
              { type: 'tool_usage', data: { tool: 'Bash', success: true, duration_ms: 10 } },
              { type: 'error', data: { error_type: 'LintError', message: 'lint: 3 problems' } },
            ]),
          ),
        );
        // Events applied but never written to the log: a rebuild cannot bring them back.
        const stray = events('stray', [
          { type: 'tool_usage', data: { tool: 'Grep', success: true } },
          { type: 'error', data: { error_type: 'Timeout', message: 'Timed out' } },
        ]).map(
          (e, i) =>
            ({ ...e, id: `stray-${i}`, seq: i + 1, v: 1, ts: e.ts as string, agent: 'main' }) as AnySatEvent,
        );
        await store.apply(stray);
        const q = { now: NOW, days: 'all' as const };
        const tools = async () => (await store.toolEffectiveness(q)).tools.map((t) => t.tool);
        const errorTypes = async () => (await store.errorPatterns(q)).byType.map((t) => t.errorType);
        expect(await tools()).toEqual(['Bash', 'Grep']);
        await r.close(store);

        store = await r.store(0);
        expect(await tools()).toEqual(['Bash', 'Grep']);
        await r.close(store);

        store = await r.store(0, { tool_uses: 999 });
        expect(await tools()).toEqual(['Bash']);
        expect(await errorTypes()).toEqual(['LintError', 'Timeout']);
        if (store.status) {
          const status = await store.status();
          expect(status.projections.tool_uses).toBe(999);
          expect(status.lastRebuild).toMatchObject({ projections: ['tool_uses'] });
          expect(status.lastRebuild?.reason).toContain('tool_uses');
        }
        await r.close(store);
        // Opening again with the same versions rebuilds nothing more.
        store = await r.store(0, { tool_uses: 999 });
        expect(await errorTypes()).toEqual(['LintError', 'Timeout']);
      },
    );
  });
}
