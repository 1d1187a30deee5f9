import type { AnySatEvent, LiveBatch } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { applyKey } from '../../src/dashboard/keys.js';
import { applyLiveBatch, emptyLiveModel } from '../../src/dashboard/live-model.js';
import { contextBar, renderFrame, sparkline } from '../../src/dashboard/render-frame.js';
import { dashboardView, INITIAL_UI } from '../../src/dashboard/view-model.js';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
let seq = 0;
function event(type: string, data: Record<string, unknown>, extra: Partial<AnySatEvent> = {}): AnySatEvent {
  seq++;
  return {
    v: 1,
    id: `ev-${seq}`,
    session: 'sess-a',
    seq,
    ts: new Date(T0 + seq * 1000).toISOString(),
    type,
    agent: 'main',
    data,
    ...extra,
  } as AnySatEvent;
}
function batch(events: AnySatEvent[], extra: Partial<LiveBatch> = {}): LiveBatch {
  return { events, issues: [], inFlight: [], closed: [], ingestBusy: false, ...extra };
}

const start = event('session_start', { source: 'startup', client: 'claude-code' });
const bash = event('tool_usage', { tool: 'Bash', success: true, duration_ms: 120 });
const failed = event(
  'tool_usage',
  { tool: 'Edit', success: false, duration_ms: 40, error: 'old_string not found' },
  {
    agent: 'explorer',
  },
);
const alert = event('alert', { kind: 'context', level: 'warning', message: 'context 91% full' });
const usage = event('api_response', {
  model: 'claude-sonnet-4-5',
  message_id: 'msg_1',
  request_id: 'req_1',
  source: 'transcript',
  tokens: { input: 1000, output: 500, cacheCreation: 0, cacheRead: 150_000 },
});

function modelOf(...events: AnySatEvent[]) {
  return applyLiveBatch(emptyLiveModel(), batch(events), T0 + 60_000);
}

describe('dashboardView', () => {
  const cases: Array<{
    name: string;
    events: AnySatEvent[];
    check: (v: ReturnType<typeof dashboardView>) => void;
  }> = [
    { name: 'no events: no session', events: [], check: (v) => expect(v.session).toBeUndefined() },
    {
      name: 'a tool call: listed with its duration, in the recent events and the latency sparkline',
      events: [start, bash],
      check: (v) => {
        expect(v.session?.tools).toEqual([{ tool: 'Bash', agent: 'main', ok: true, durationMs: 120 }]);
        expect(v.session?.events.map((e) => e.type)).toEqual(['tool_usage', 'session_start']);
        expect(v.session?.latencies).toEqual([120]);
      },
    },
    {
      name: 'a failed call: counted as an error, with its message',
      events: [start, failed],
      check: (v) => {
        expect(v.session?.tools[0]).toMatchObject({ tool: 'Edit', ok: false, error: 'old_string not found' });
        expect(v.session?.errors.count).toBe(1);
        expect(v.session?.agentNames).toEqual(['main', 'explorer']);
      },
    },
    {
      name: 'an alert event: shown',
      events: [start, alert],
      check: (v) => expect(v.session?.alerts).toEqual([{ level: 'warning', message: 'context 91% full' }]),
    },
    {
      name: 'an API response: tokens and cost from the usage model, context against the window',
      events: [start, usage],
      check: (v) => {
        expect(v.session?.tokens).toBe(151_500);
        expect(v.session?.cost).toBeGreaterThan(0);
        expect(v.session?.byModel.map((r) => r.name)).toEqual(['claude-sonnet-4-5']);
        expect(v.session?.context?.percent).toBeGreaterThan(50);
        expect(v.session?.tokensPerMinute.reduce((a, b) => a + b, 0)).toBe(1500);
      },
    },
  ];
  for (const c of cases)
    it(c.name, () => c.check(dashboardView(modelOf(...c.events), { ui: INITIAL_UI, now: T0 + 60_000 })));

  it('filters the events by agent and opens the selected one', () => {
    const view = dashboardView(modelOf(start, bash, failed), {
      ui: { ...INITIAL_UI, agent: 'explorer', details: true },
      now: T0 + 60_000,
    });
    expect(view.session?.events.map((e) => e.agent)).toEqual(['explorer']);
    expect(view.details?.[0]).toContain(`tool_usage #${failed.seq}`);
  });

  it('counts bad input and names the latest', () => {
    const model = applyLiveBatch(
      emptyLiveModel(),
      batch([start], { issues: [{ kind: 'bad-line', file: 'x.jsonl', message: 'malformed log line' }] }),
      T0,
    );
    expect(dashboardView(model, { ui: INITIAL_UI, now: T0 }).issues).toEqual({
      count: 1,
      latest: 'malformed log line',
    });
  });
});

describe('applyKey', () => {
  const view = dashboardView(modelOf(start, bash, failed), { ui: INITIAL_UI, now: T0 + 60_000 });
  const cases: Array<[string, Parameters<typeof applyKey>[1], ReturnType<typeof applyKey>]> = [
    ['q quits', { input: 'q' }, 'quit'],
    ['p pauses', { input: 'p' }, { ...INITIAL_UI, paused: true }],
    ['a filters by the first agent', { input: 'a' }, { ...INITIAL_UI, agent: 'main' }],
    ['down selects the next event', { input: '', downArrow: true }, { ...INITIAL_UI, selected: 1 }],
    ['enter opens the details', { input: '', return: true }, { ...INITIAL_UI, details: true }],
    ['tab stays on the one session', { input: '', tab: true }, { ...INITIAL_UI, session: 'sess-a' }],
  ];
  for (const [name, key, expected] of cases)
    it(name, () => expect(applyKey(INITIAL_UI, key, view)).toEqual(expected));
  it('a steps through the agents, then back to all', () => {
    const once = applyKey(INITIAL_UI, { input: 'a' }, view);
    const twice = applyKey(once as typeof INITIAL_UI, { input: 'a' }, view);
    expect(twice).toMatchObject({ agent: 'explorer' });
    expect(applyKey(twice as typeof INITIAL_UI, { input: 'a' }, view)).not.toHaveProperty('agent');
  });
});

describe('switching sessions', () => {
  it('keeps the chosen session when a newer one arrives', () => {
    const model = modelOf(start, bash);
    const first = dashboardView(model, { ui: INITIAL_UI, now: T0 + 60_000 });
    applyLiveBatch(model, batch([event('session_start', { source: 'startup' }, { session: 'sess-b' })]), T0);
    const ui = { ...INITIAL_UI, session: first.ui.session };
    const after = dashboardView(model, { ui, now: T0 + 60_000 });
    expect(after.session?.id).toBe('sess-a');
    expect(after.sessions.map((s) => s.id)).toEqual(['sess-b', 'sess-a']);
    expect(applyKey(after.ui, { input: '', tab: true }, after)).toMatchObject({ session: 'sess-b' });
  });
});

describe('renderFrame', () => {
  it('fills exactly 80x24 and marks the handoff threshold on the context bar', () => {
    const view = dashboardView(modelOf(start, usage, bash), { ui: INITIAL_UI, now: T0 + 60_000 });
    const lines = renderFrame(view, { width: 80, height: 24 });
    expect(lines).toHaveLength(24);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lines.find((l) => l.startsWith('context'))).toContain('|');
    expect(lines.join('\n')).not.toContain('\u001b[');
    expect(lines[23]).toContain('q quit'.slice(0, 1));
  });
  it('uses a wider terminal', () => {
    const view = dashboardView(modelOf(start, usage), { ui: INITIAL_UI, now: T0 + 60_000 });
    const wide = renderFrame(view, { width: 160, height: 30 });
    expect(Math.max(...wide.map((l) => [...l].length))).toBeGreaterThan(80);
    expect(wide).toHaveLength(30);
  });
  it('draws sparklines and bars', () => {
    expect(sparkline([0, 5, 10])).toBe('▁▄█');
    expect(contextBar(50, 90, 10)).toBe('█████░░░░|');
  });
});
