/** The analytics store contract's team suite: owners of rows, the user and machine filters, `team`. */
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../events/envelope.js';
import type { AnalyticsStore } from '../projections/analytics-store.js';
import { api, cost, DAY, events, NOW, SONNET, type Step, tokens } from './analytics-store-fixtures.js';
import {
  type AnalyticsStoreFactory,
  type AnalyticsStoreSuiteOptions,
  CONTRACT_IDENTITY,
  useStoreHarness,
} from './analytics-store-harness.js';

const ANA = { user: 'ana', machine: 'ana-laptop' };

/** Ana's work, as imported from her bundle: every event with its `meta.origin`. */
function imported(session: string, steps: Step[], startAgo: number): NewEvent[] {
  return events(session, steps, startAgo).map((event, i) => ({
    ...event,
    meta: { origin: { ...ANA, bundle: 'bundle-1', seq: i + 1 } },
  }));
}

/** A history of two owners: the local identity's session today and yesterday, Ana's imported one. */
function twoOwners(): NewEvent[] {
  const work = (id: string, input: number, failing: boolean): Step[] => [
    { type: 'session_start', data: { phase: 1 } },
    { type: 'tool_usage', data: { tool: failing ? 'Bash' : 'Read', success: !failing, duration_ms: 10 } },
    { type: 'agent_invocation', data: { agent: 'code-reviewer', status: 'completed', success: true } },
    { type: 'error', data: { error_type: 'TypeError', message: `x is undefined (${id})` } },
    { type: 'api_response', data: api(SONNET, tokens(input, 10), { id }) },
  ];
  return [
    ...events('mine-1', work('m1', 100, false), 2 * DAY),
    ...events('mine-2', work('m2', 200, true), DAY / 2 - 600_000),
    ...imported('ana-1', work('a1', 1000, true), DAY / 2 - 60_000),
  ];
}

async function loaded(root: () => import('./analytics-store-harness.js').StoreRoot): Promise<AnalyticsStore> {
  const r = root();
  const store = await r.store();
  await store.apply(await r.log(twoOwners()));
  return store;
}

/**
 * Registers the team cases: every row knows its owner (an imported event's origin, else the local
 * identity), the user and machine filters narrow every query, and `team` gives sessions, tokens,
 * cost and errors per user x machine x day.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.team(factory));
 */
export function team(factory: AnalyticsStoreFactory, _options: AnalyticsStoreSuiteOptions = {}): void {
  describe('team', () => {
    const { root } = useStoreHarness(factory);

    it('team: sessions, tokens, cost and errors per user x machine x day, imported events under their origin', async () => {
      const store = await loaded(root);
      const { rows, filters } = await store.team({ now: NOW, days: 7 });
      expect([filters.user, filters.machine, filters.from]).toEqual([null, null, '2026-02-23']);
      const me = CONTRACT_IDENTITY;
      expect(rows.map((r) => [r.day, r.user, r.machine, r.sessions, r.errors, r.responses])).toEqual([
        ['2026-02-27', me.user, me.machine, 1, 1, 1],
        ['2026-03-01', ANA.user, ANA.machine, 1, 1, 1],
        ['2026-03-01', me.user, me.machine, 1, 1, 1],
      ]);
      const ana = rows[1]!;
      expect(ana.tokens.total).toBe(1010);
      expect(ana.cost).toBeCloseTo(cost(SONNET, tokens(1000, 10)), 9);
      expect((await store.team({ now: NOW, days: 1 })).rows.map((r) => r.user)).toEqual(['ana', 'me']);
      expect((await store.team({ now: NOW, user: 'ana' })).rows.map((r) => r.day)).toEqual(['2026-03-01']);
      expect((await store.team({ now: NOW, machine: me.machine })).rows).toHaveLength(2);
      expect((await store.team({ now: NOW, user: 'nobody' })).rows).toEqual([]);
    });

    it('filters: user and machine narrow every query', async () => {
      const store = await loaded(root);
      const ana = { now: NOW, user: 'ana' };
      expect((await store.toolEffectiveness(ana)).tools.map((t) => [t.tool, t.uses])).toEqual([['Bash', 1]]);
      expect(
        (await store.agentPerformance(ana)).agents.map((a) => [a.agent, a.invocations, a.responses]),
      ).toEqual([
        ['code-reviewer', 1, 0],
        ['main', 0, 1],
      ]);
      expect((await store.errorPatterns(ana)).totals.errors).toBe(1);
      expect((await store.costAnalysis(ana)).tokens.input).toBe(1000);
      expect((await store.costAnalysis({ now: NOW, machine: CONTRACT_IDENTITY.machine })).tokens.input).toBe(
        300,
      );
      const both = { now: NOW, user: 'ana', machine: CONTRACT_IDENTITY.machine };
      expect((await store.costAnalysis(both)).responses).toBe(0);
      expect((await store.toolEffectiveness(both)).tools).toEqual([]);
      const echoed = (await store.errorPatterns(both)).filters;
      expect([echoed.user, echoed.machine]).toEqual(['ana', CONTRACT_IDENTITY.machine]);
      expect((await store.costAnalysis({ now: NOW, user: 'nobody' })).responses).toBe(0);
      await expect(store.costAnalysis({ user: '' })).rejects.toMatchObject({ code: 'USAGE' });
    });
  });
}
