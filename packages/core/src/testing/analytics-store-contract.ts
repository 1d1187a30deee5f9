/**
 * The contract every `AnalyticsStore` passes, whatever its database. A store package runs it
 * from exactly one test file:
 *
 *     describeAnalyticsStore('sqlite', ({ dir, logsDir, projectionVersions }) =>
 *       openSqliteStore({ file: join(dir, 'sat.db'), logsDir, projectionVersions }));
 *
 * What a store cannot do is declared in its `capabilities`; the cases that need a capability are
 * skipped with the reason shown, never silently.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnySatEvent, NewEvent } from '../events/envelope.js';
import type { EventPayloads, EventType } from '../events/payloads.js';
import { realisticSessionEvents } from '../fixtures/realistic-sessions.js';
import { readSessionEvents } from '../log/event-reader.js';
import { EventWriter } from '../log/event-writer.js';
import { priceUsage, withPriceOverrides } from '../pricing/prices.js';
import type { AnalyticsFilters } from '../projections/analytics-filters.js';
import type { AnalyticsQuery, AnalyticsStore } from '../projections/analytics-store.js';
import type { ProjectionName } from '../projections/projection-names.js';

type Vitest = typeof import('vitest');

/**
 * The vitest API of the running test file. Taken from the worker (where vitest puts it for
 * `import.meta.vitest`) rather than imported, so that importing `@sat/core/testing` from code
 * that is not a test (a benchmark using the event generators) does not load vitest.
 */
function vitest(): Pick<Vitest, 'afterEach' | 'describe' | 'expect' | 'it'> {
  const api = (globalThis as { __vitest_index__?: Vitest }).__vitest_index__;
  if (!api)
    throw new Error(
      '[core] describeAnalyticsStore registers vitest tests: call it from a test file that vitest runs',
    );
  return api;
}

/** What the suite hands the factory. */
export interface AnalyticsStoreFactoryContext {
  /** A folder for the store's own files; the same folder when a test reopens the store. */
  dir: string;
  /** The session logs the store rebuilds from (and ingests, with `ingestLog`). */
  logsDir: string;
  /** Projection versions to build with; the suite raises one to check the rebuild it causes. */
  projectionVersions?: Partial<Record<ProjectionName, number>>;
}

/** Opens (or reopens) a store in `context.dir`. */
export type AnalyticsStoreFactory = (context: AnalyticsStoreFactoryContext) => Promise<AnalyticsStore>;

/** "Now" of every query: 2026-03-01T12:00Z. The events happen in February 2026. */
const NOW = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SONNET = 'claude-sonnet-4-5-20250929';
const OPUS = 'claude-opus-4-6';
const HAIKU = 'claude-haiku-4-5-20251001';
const UNKNOWN = 'claude-future-9';

interface Step {
  type: EventType;
  data: Record<string, unknown>;
  agent?: string;
  session?: string;
  /** Time as ms before NOW. */
  ago?: number;
}

/** Builds events for the log: each step one event, one second after the previous by default. */
function events(session: string, steps: Step[], startAgo = 2 * DAY): NewEvent[] {
  return steps.map((step, i) => ({
    type: step.type,
    session: step.session ?? session,
    agent: step.agent ?? 'main',
    ts: new Date(NOW - (step.ago ?? startAgo - i * 1000)).toISOString(),
    data: step.data as EventPayloads[EventType],
  }));
}

const tokens = (input: number, output: number, cacheCreation = 0, cacheRead = 0) => ({
  input,
  output,
  cacheCreation,
  cacheRead,
});

function api(
  model: string,
  t: ReturnType<typeof tokens>,
  extra: Partial<EventPayloads['api_response']> & { id: string },
): Step['data'] {
  const { id, ...rest } = extra;
  return {
    model,
    message_id: `msg_${id}`,
    request_id: `req_${id}`,
    tokens: t,
    source: 'transcript',
    ...rest,
  };
}

const cost = (model: string, t: ReturnType<typeof tokens>) => priceUsage(model, t).cost!;

/** Every query with every filter combination the suite compares. */
const PROBES: AnalyticsFilters[] = [
  {},
  { days: 'all' },
  { days: 7 },
  { phase: 1 },
  { phase: 2, agent: 'main' },
  { agent: 'code-reviewer' },
  { agent: 'explorer', days: 'all' },
];

async function snapshot(store: AnalyticsStore, sessions: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  const probes: AnalyticsQuery[] = [
    ...PROBES,
    ...sessions.flatMap((session) => [{ session }, { session, phase: 2 }]),
  ].map((probe) => ({ ...probe, now: NOW }));
  for (const probe of probes) {
    out.push(
      await store.agentPerformance(probe),
      await store.toolEffectiveness(probe),
      await store.errorPatterns(probe),
      await store.costAnalysis(probe),
      await store.sessionSummary(probe),
    );
  }
  return out;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Deterministic shuffle-free split of `list` into batches of 1..max items. */
function batches<T>(list: readonly T[], seed: number, max = 97): T[][] {
  let state = seed;
  const out: T[][] = [];
  for (let i = 0; i < list.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const size = 1 + (state % max);
    out.push(list.slice(i, i + size));
    i += size;
  }
  return out;
}

/**
 * Registers the shared contract tests of an analytics store. `factory` opens the store in the
 * folder it is given (reopening it when called again with the same folder).
 *
 * @example
 * describeAnalyticsStore('sqlite', (ctx) => openSqliteStore({ file: join(ctx.dir, 'sat.db'), logsDir: ctx.logsDir }));
 */
export function describeAnalyticsStore(name: string, factory: AnalyticsStoreFactory): void {
  const { afterEach, describe, expect, it } = vitest();
  describe(`AnalyticsStore contract: ${name}`, () => {
    const dirs: string[] = [];
    const open: AnalyticsStore[] = [];

    afterEach(async () => {
      for (const store of open.splice(0)) await store.close().catch(() => undefined);
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    let written = 0;

    /** A fresh root with a logs folder; `store(n)` opens store folder n of it. */
    function root() {
      const base = mkdtempSync(join(tmpdir(), 'sat-contract-'));
      dirs.push(base);
      const logsDir = join(base, 'logs');
      return {
        logsDir,
        async store(n = 0, projectionVersions?: AnalyticsStoreFactoryContext['projectionVersions']) {
          const store = await factory({ dir: join(base, `store-${n}`), logsDir, projectionVersions });
          open.push(store);
          return store;
        },
        async close(store: AnalyticsStore) {
          await store.close();
          open.splice(open.indexOf(store), 1);
        },
        /** Appends to the log and returns the events as stored (with ids and seqs). */
        async log(list: NewEvent[]): Promise<AnySatEvent[]> {
          const writer = new EventWriter({ logsDir });
          const ids = new Set<string>();
          for (const event of list)
            ids.add(writer.append({ ...event, id: event.id ?? `contract-${++written}` }));
          await writer.close();
          const sessions = [...new Set(list.map((e) => e.session))];
          const stored: AnySatEvent[] = [];
          for (const session of sessions)
            for await (const e of readSessionEvents(logsDir, session)) if (ids.has(e.id)) stored.push(e);
          return stored;
        },
      };
    }

    /** A realistic log of three sessions in two phases, with sub-agents and paired invocations. */
    async function realisticLog(r: ReturnType<typeof root>): Promise<AnySatEvent[]> {
      const list: NewEvent[] = [];
      for (let i = 0; i < 3; i++)
        list.push(
          ...realisticSessionEvents(
            {
              session: `real-${i}`,
              seed: 11 + i,
              start: NOW - (20 - i * 8) * DAY,
              phase: 1,
              phaseChanges: [{ at: 150 + i * 50, phase: 2 }],
              apiResponseShare: 0.2,
            },
            400,
          ),
        );
      list.push(
        ...events('pairs', [
          { type: 'session_start', data: { phase: 2 } },
          {
            type: 'agent_invocation',
            agent: 'code-reviewer',
            data: { agent: 'code-reviewer', invoked_by: 'main', status: 'started', tool_use_id: 'toolu_p1' },
          },
          {
            type: 'tool_usage',
            agent: 'code-reviewer',
            data: { tool: 'Read', success: true, duration_ms: 40 },
          },
          {
            type: 'agent_invocation',
            agent: 'code-reviewer',
            data: {
              agent: 'code-reviewer',
              status: 'completed',
              tool_use_id: 'toolu_p1',
              duration_ms: 61_000,
            },
          },
          {
            type: 'api_response',
            agent: 'explorer',
            data: api(HAIKU, tokens(10, 100), { id: 'p-est', source: 'task_result', agent_id: 'ax' }),
          },
          {
            type: 'api_response',
            agent: 'explorer',
            data: api(HAIKU, tokens(20, 200), { id: 'p-tr', agent_id: 'ax' }),
          },
        ]),
      );
      return r.log(list);
    }

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
    });

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

    it('a projection version bump rebuilds that projection from the log, and only it', async (ctx) => {
      const r = root();
      const probe = await r.store(9);
      if (!probe.capabilities.persistent)
        ctx.skip(true, `${name} is not persistent (capabilities.persistent)`);
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
    });

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
