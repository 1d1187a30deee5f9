import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  createHandoff,
  emptySessionState,
  handoffIfDue,
  handoffTrigger,
  listSnapshots,
  loadConfig,
  reduceSession,
  type SessionState,
  snapshotIfDue,
  snapshotTriggers,
} from '../../src/index.js';
import { appendDrafts, contextFill, type Draft, event, testConfig } from './snapshot-helpers.js';

const S = 'trig';
const config = loadConfig({ root: '/nonexistent-sat-root', cwd: '/', env: {} });

function fold(events: AnySatEvent[], from = emptySessionState(S)): SessionState {
  return events.reduce(reduceSession, from);
}

const invocation = (seq: number) =>
  event(S, seq, 'agent_invocation', { agent: 'explorer', status: 'completed' });
const response = (seq: number, input: number, cacheRead = 0) =>
  event(S, seq, 'api_response', {
    model: 'claude-opus-4-6',
    message_id: `m${seq}`,
    tokens: { input, output: 0, cacheCreation: 0, cacheRead },
    source: 'transcript',
  });
/** What a snapshot at `state` would record. */
const metaAt = (state: SessionState, tokens: number) => ({
  seq: state.lastSeq,
  counters: { agentInvocations: state.agents.invocations, tokens },
});

describe('snapshotTriggers', () => {
  it('is due every 10 agent invocations since the last snapshot (config.snapshots.everyAgentInvocations)', () => {
    expect(config.snapshots).toEqual({ everyAgentInvocations: 10, everyTokens: 20_000 });
    let state = fold(Array.from({ length: 9 }, (_, i) => invocation(i + 1)));
    expect(snapshotTriggers(state, undefined, config)).toBeUndefined();
    state = fold([invocation(10)], state);
    expect(snapshotTriggers(state, undefined, config)).toBe('agent-invocations');
    const last = metaAt(state, 0);
    state = fold(
      Array.from({ length: 9 }, (_, i) => invocation(11 + i)),
      state,
    );
    expect(snapshotTriggers(state, last, config)).toBeUndefined();
    state = fold([invocation(20)], state);
    expect(snapshotTriggers(state, last, config)).toBe('agent-invocations');
    expect(
      snapshotTriggers(state, last, { snapshots: { everyAgentInvocations: 0, everyTokens: 0 } }),
    ).toBeUndefined();
  });

  it('is due every 20,000 new tokens since the last snapshot (cache reads do not count)', () => {
    let state = fold([response(1, 19_999, 500_000)]);
    expect(snapshotTriggers(state, undefined, config)).toBeUndefined();
    state = fold([response(2, 1)], state);
    expect(snapshotTriggers(state, undefined, config)).toBe('tokens');
    const last = metaAt(state, 20_000);
    state = fold([response(3, 19_000)], state);
    expect(snapshotTriggers(state, last, config)).toBeUndefined();
    state = fold([response(4, 1000)], state);
    expect(snapshotTriggers(state, last, config)).toBe('tokens');
    expect(
      snapshotTriggers(state, last, { snapshots: { everyAgentInvocations: 10, everyTokens: 50_000 } }),
    ).toBeUndefined();
  });

  it('is due at a pre-compact and at the end of the session, once', () => {
    let state = fold([event(S, 1, 'decision', { question: 'q', selected: 'a' })]);
    const last = metaAt(state, 0);
    expect(snapshotTriggers(state, last, config)).toBeUndefined();
    state = fold([event(S, 2, 'context_snapshot', { trigger: 'post-compact:auto' })], state);
    expect(snapshotTriggers(state, last, config)).toBeUndefined();
    state = fold([event(S, 3, 'context_snapshot', { trigger: 'pre-compact:auto' })], state);
    expect(snapshotTriggers(state, last, config)).toBe('pre-compact');
    const after = metaAt(state, 0);
    expect(snapshotTriggers(state, after, config)).toBeUndefined();
    state = fold([event(S, 4, 'session_end', {})], state);
    expect(snapshotTriggers(state, after, config)).toBe('session-end');
    expect(snapshotTriggers(state, metaAt(state, 0), config)).toBeUndefined();
  });

  it('snapshotIfDue takes the snapshot with its trigger, and nothing when none is due', async () => {
    const config = testConfig();
    const runs: Draft[] = Array.from({ length: 10 }, () => ({
      type: 'agent_invocation',
      data: { agent: 'explorer', status: 'completed', success: true },
    }));
    await appendDrafts(config, S, runs.slice(0, 9));
    expect(await snapshotIfDue(config, S)).toEqual({});
    await appendDrafts(config, S, runs.slice(9));
    const due = await snapshotIfDue(config, S);
    expect(due.trigger).toBe('agent-invocations');
    expect(due.created?.snapshot).toMatchObject({
      trigger: 'agent-invocations',
      seq: 10,
      counters: { agentInvocations: 10 },
    });
    expect(await snapshotIfDue(config, S)).toEqual({});
    await appendDrafts(config, S, [{ type: 'context_snapshot', data: { trigger: 'pre-compact:manual' } }]);
    expect((await snapshotIfDue(config, S)).trigger).toBe('pre-compact');
    await appendDrafts(config, S, [{ type: 'session_end', data: {} }]);
    expect((await snapshotIfDue(config, S)).trigger).toBe('session-end');
    expect(await snapshotIfDue(config, S)).toEqual({});
    expect(listSnapshots(config, S).map((m) => m.trigger)).toEqual([
      'agent-invocations',
      'pre-compact',
      'session-end',
    ]);
  });
});

describe('handoffTrigger', () => {
  const fill = (seq: number, used: number) => contextFill(S, seq, used);

  it('is due once the context reaches handoff.contextFillPercent (80%), once per context, and at a pre-compact', () => {
    expect(config.handoff).toEqual({ maxTokens: 2000, contextFillPercent: 80 });
    let state = fold([fill(1, 159_000)]);
    expect(handoffTrigger(state, config)).toBeUndefined();
    state = fold([fill(2, 160_000)], state);
    expect(handoffTrigger(state, config)).toBe('context-fill');
    state = fold(
      [event(S, 3, 'handoff', { path: '/h.md', trigger: 'context-fill' }), fill(4, 170_000)],
      state,
    );
    expect(handoffTrigger(state, config)).toBeUndefined();
    state = fold([event(S, 5, 'context_snapshot', { trigger: 'pre-compact:auto' })], state);
    expect(handoffTrigger(state, config)).toBe('pre-compact');
    state = fold(
      [event(S, 6, 'handoff', { path: '/h2.md', trigger: 'pre-compact' }), fill(7, 20_000)],
      state,
    );
    expect(handoffTrigger(state, config)).toBeUndefined();
    state = fold([fill(8, 165_000)], state);
    expect(handoffTrigger(state, config)).toBe('context-fill');
    expect(
      handoffTrigger(state, { ...config, handoff: { maxTokens: 2000, contextFillPercent: 90 } }),
    ).toBeUndefined();
  });

  it('handoffIfDue writes the handoff with its trigger', async () => {
    const config = testConfig();
    await appendDrafts(config, S, [
      { type: 'user_prompt', data: { text: 'Build it', chars: 8 } },
      {
        type: 'api_response',
        data: {
          model: 'claude-opus-4-6',
          message_id: 'm1',
          tokens: { input: 10, output: 10, cacheCreation: 10, cacheRead: 170_000 },
          source: 'transcript',
        },
      },
    ]);
    const due = await handoffIfDue(config, S);
    expect(due.trigger).toBe('context-fill');
    expect(due.created?.markdown).toContain('Build it');
    expect(await handoffIfDue(config, S)).toEqual({});
    expect((await createHandoff(config, S)).event.id).toBeDefined();
  });
});
