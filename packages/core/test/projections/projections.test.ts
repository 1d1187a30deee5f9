import { describe, expect, it } from 'vitest';
import type { AnySatEvent } from '../../src/events/envelope.js';
import type { EventPayloads, EventType } from '../../src/events/payloads.js';
import {
  newSessionState,
  PROJECTIONS,
  projectEvents,
  projectionVersions,
} from '../../src/projections/project-events.js';
import { PROJECTION_NAMES } from '../../src/projections/projection-names.js';
import type { SessionProjectionState } from '../../src/projections/projection-rows.js';
import { mergeMeasures, ROLLUPS, type RollupName } from '../../src/projections/rollups.js';

const T0 = Date.UTC(2026, 1, 10, 9);
let seq = 0;

function ev<T extends EventType>(
  type: T,
  data: EventPayloads[T],
  extra: Partial<AnySatEvent> = {},
): AnySatEvent {
  seq++;
  return {
    id: `e${seq}`,
    session: 's1',
    seq,
    ts: new Date(T0 + seq * 1000).toISOString(),
    type,
    agent: 'main',
    v: 1,
    data,
    ...extra,
  } as AnySatEvent;
}

/** Projects `events` in batches of `size`, carrying the states between batches as a store would. */
function projectInBatches(events: AnySatEvent[], size: number) {
  const states = new Map<string, SessionProjectionState>();
  const batches = [];
  for (let i = 0; i < events.length; i += size) {
    const batch = projectEvents(events.slice(i, i + size), (s) => structuredClone(states.get(s)));
    for (const [s, state] of batch.states) states.set(s, structuredClone(state));
    batches.push(batch);
  }
  return { batches, states };
}

/** Adds up the rollup deltas of several batches. */
function rollupTotals(batches: ReturnType<typeof projectEvents>[], rollup: RollupName) {
  const totals = new Map<string, unknown>();
  for (const batch of batches)
    for (const entry of batch.rollups.groups(rollup)) {
      const key = entry.dims.join('|');
      const into = totals.get(key);
      if (into) mergeMeasures(ROLLUPS[rollup].family, into as never, entry.measures as never);
      else totals.set(key, structuredClone(entry.measures));
    }
  return totals;
}

/** The `cc_` measures of a usage rollup with no cost reported by Claude Code. */
const CC_ZERO = {
  cc_responses: 0,
  cc_input: 0,
  cc_output: 0,
  cc_cache_creation: 0,
  cc_cache_creation_1h: 0,
  cc_cache_read: 0,
  cc_cost: 0,
};

describe('projections', () => {
  it('every projection has a name, a version >= 1 and a description', () => {
    expect(Object.keys(PROJECTIONS)).toEqual([...PROJECTION_NAMES]);
    for (const name of PROJECTION_NAMES) {
      expect(PROJECTIONS[name].name).toBe(name);
      expect(PROJECTIONS[name].version).toBeGreaterThanOrEqual(1);
      expect(PROJECTIONS[name].description.length).toBeGreaterThan(10);
    }
    expect(projectionVersions()).toEqual(
      Object.fromEntries(PROJECTION_NAMES.map((n) => [n, PROJECTIONS[n].version])),
    );
    expect(projectionVersions().errors).toBe(3);
  });

  it('a phase event sets the phase of the events after it; session_start can set the first one', () => {
    seq = 0;
    const batch = projectEvents(
      [
        ev('tool_usage', { tool: 'Read', success: true }),
        ev('session_start', { phase: 1 }),
        ev('tool_usage', { tool: 'Grep', success: true }),
        ev('phase', { phase: 'review' }),
        ev('tool_usage', { tool: 'Edit', success: false }),
      ],
      () => undefined,
    );
    expect(batch.toolUses.map((t) => [t.tool, t.phase])).toEqual([
      ['Read', ''],
      ['Grep', '1'],
      ['Edit', 'review'],
    ]);
    const row = batch.sessions.get('s1')!;
    expect(row).toMatchObject({
      phase: 'review',
      phases: ['1', 'review'],
      events: 5,
      lastSeq: 5,
      toolFailures: 1,
    });
    expect(batch.states.get('s1')).toMatchObject({ lastSeq: 5, phase: 'review' });
  });

  it('pairs a started invocation with its end by tool_use_id, across batches', () => {
    seq = 0;
    const events = [
      ev('agent_invocation', {
        agent: 'code-reviewer',
        invoked_by: 'main',
        status: 'started',
        tool_use_id: 't1',
      }),
      ev('tool_usage', { tool: 'Read', success: true }, { agent: 'code-reviewer' }),
      ev('agent_invocation', {
        agent: 'code-reviewer',
        status: 'completed',
        tool_use_id: 't1',
        tokens: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4 },
        model: 'claude-haiku-4-5',
      }),
      ev('agent_invocation', { agent: 'planner', status: 'failed', duration_ms: 700 }),
    ];
    const { batches } = projectInBatches(events, 1);
    const rows = new Map(batches.flatMap((b) => [...b.invocations.values()]).map((r) => [r.id, r]));
    expect(
      [...rows.values()].map((r) => [r.agent, r.status, r.success, r.durationMs, r.parentAgent]),
    ).toEqual([
      ['code-reviewer', 'completed', true, 2000, 'main'],
      ['planner', 'failed', false, 700, 'main'],
    ]);
    expect(rows.get('e1')?.tokens).toEqual({ input: 1, output: 2, cacheCreation: 3, cacheRead: 4 });
    const totals = rollupTotals(batches, 'agent_day');
    const reviewer = [...totals.entries()].find(([k]) => k.includes('code-reviewer'))![1];
    expect(reviewer).toMatchObject({
      invocations: 1,
      completed: 1,
      known_success: 1,
      successes: 1,
      dur_count: 1,
      dur_sum: 2000,
    });
  });

  it("Claude Code's record of a request counts until the transcript's response of it arrives, with its cost", () => {
    seq = 0;
    const t = (output: number) => ({ input: 1, output, cacheCreation: 0, cacheRead: 0 });
    const api = (id: string, output: number, extra: Partial<EventPayloads['api_response']>) =>
      ev('api_response', {
        model: 'claude-haiku-4-5',
        message_id: id,
        tokens: t(output),
        source: 'transcript',
        ...extra,
      });
    const otel = (rid: string, output: number, cost: number) =>
      api(rid, output, { source: 'otel', request_id: rid, cost_usd: cost });
    const orders = [
      [otel('r1', 90, 0.5), api('m1', 100, { request_id: 'r1' }), api('m2', 7, { request_id: 'r2' })],
      [api('m1', 100, { request_id: 'r1' }), api('m2', 7, { request_id: 'r2' }), otel('r1', 90, 0.5)],
    ];
    for (const events of orders)
      for (const size of [1, 3]) {
        const { batches } = projectInBatches(events, size);
        expect([...rollupTotals(batches, 'usage_phase').values()]).toEqual([
          {
            responses: 2,
            input: 2,
            output: 107,
            cache_creation: 0,
            cache_creation_1h: 0,
            cache_read: 0,
            ...CC_ZERO,
            cc_responses: 1,
            cc_input: 1,
            cc_output: 100,
            cc_cost: 0.5,
          },
        ]);
      }
    const alone = [
      ...rollupTotals(projectInBatches([otel('r9', 90, 0.25)], 1).batches, 'usage_phase').values(),
    ];
    expect(alone).toEqual([
      {
        responses: 1,
        input: 1,
        output: 90,
        cache_creation: 0,
        cache_creation_1h: 0,
        cache_read: 0,
        ...CC_ZERO,
        cc_responses: 1,
        cc_input: 1,
        cc_output: 90,
        cc_cost: 0.25,
      },
    ]);
  });

  it('the sub-agent token rule gives the same totals in one batch and event by event', () => {
    seq = 0;
    const t = (output: number) => ({ input: 1, output, cacheCreation: 0, cacheRead: 0 });
    const api = (id: string, output: number, extra: Partial<EventPayloads['api_response']>) =>
      ev(
        'api_response',
        { model: 'claude-haiku-4-5', message_id: id, tokens: t(output), source: 'transcript', ...extra },
        { agent: 'explorer' },
      );
    const events = [
      api('m1', 100, { source: 'task_result', agent_id: 'a1' }),
      api('m2', 10, { source: 'task_result', agent_id: 'a2' }),
      api('m3', 1000, { agent_id: 'a1' }),
      api('m3', 1500, { agent_id: 'a1' }),
      api('m4', 5, { source: 'task_result', agent_id: 'a1' }),
    ];
    for (const size of [1, 2, 5]) {
      const { batches } = projectInBatches(events, size);
      const totals = [...rollupTotals(batches, 'usage_phase').values()];
      expect(totals).toEqual([
        {
          responses: 2,
          input: 2,
          output: 1510,
          cache_creation: 0,
          cache_creation_1h: 0,
          cache_read: 0,
          ...CC_ZERO,
        },
      ]);
    }
  });

  it('projects only the projections asked for', () => {
    seq = 0;
    const batch = projectEvents(
      [
        ev('tool_usage', { tool: 'Read', success: true }),
        ev('error', { error_type: 'X', message: 'boom 1' }),
      ],
      () => undefined,
      { projections: ['errors'] },
    );
    expect(batch.toolUses).toEqual([]);
    expect(batch.sessions.size).toBe(0);
    expect(batch.errors).toHaveLength(1);
    expect(batch.rollups.rollups()).toEqual(['error_day']);
  });

  it('keeps times as UTC ISO-8601 and days in UTC', () => {
    seq = 0;
    const batch = projectEvents(
      [ev('tool_usage', { tool: 'Read', success: true }, { ts: '2026-02-10T23:30:00.000-02:00' })],
      () => newSessionState('s1'),
    );
    expect(batch.toolUses[0]).toMatchObject({
      ts: '2026-02-11T01:30:00.000Z',
      day: Math.floor(Date.UTC(2026, 1, 11) / 86_400_000),
    });
  });
});

describe('owners', () => {
  it("gives every row and rollup group its event's owner: the origin of an imported event, else the identity", () => {
    const identity = { user: 'me', machine: 'my-laptop' };
    const origin = { user: 'ana', machine: 'ana-laptop', bundle: 'b1', seq: 4 };
    const events = [
      ev('session_start', { phase: 1 }),
      ev('tool_usage', { tool: 'Read', success: true }),
      ev('tool_usage', { tool: 'Bash', success: false }, { meta: { origin } }),
      ev('error', { error_type: 'E', message: 'm' }, { meta: { origin: { user: 'ana' } } }),
    ];
    const batch = projectEvents(events, () => undefined, { identity });
    expect(batch.toolUses.map((r) => [r.tool, r.user, r.machine])).toEqual([
      ['Read', 'me', 'my-laptop'],
      ['Bash', 'ana', 'ana-laptop'],
    ]);
    // A malformed origin is not trusted: the event stays the local identity's.
    expect(batch.errors.map((r) => [r.user, r.machine])).toEqual([['me', 'my-laptop']]);
    expect([batch.sessions.get('s1')?.user, batch.sessions.get('s1')?.machine]).toEqual(['me', 'my-laptop']);
    expect(batch.rollups.groups('tool_day').map((g) => g.dims.slice(3))).toEqual([
      ['Read', 'me', 'my-laptop'],
      ['Bash', 'ana', 'ana-laptop'],
    ]);
    const anonymous = projectEvents([ev('tool_usage', { tool: 'Read', success: true })], () => undefined);
    expect([anonymous.toolUses[0]?.user, anonymous.toolUses[0]?.machine]).toEqual(['unknown', 'unknown']);
  });
});
