import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  emptySessionState,
  reduceSession,
  type SessionState,
  STATE_LIMITS,
  summarizeSessionState,
} from '../../src/index.js';
import { reduceSessionInPlace } from '../../src/session-state/reduce-session.js';
import { deepFreeze, draftArbitrary, event, toEvents } from './snapshot-helpers.js';

const S = 's1';

function fold(events: readonly AnySatEvent[], from: SessionState = emptySessionState(S)): SessionState {
  return events.reduce(reduceSession, from);
}

describe('reduceSession', () => {
  it('joins an agent run by tool_use_id, keeps it running until it ends, and tallies its outcome', () => {
    let s = fold([
      event(S, 1, 'agent_invocation', {
        agent: 'explorer',
        status: 'started',
        tool_use_id: 't1',
        reason: 'look around',
      }),
      event(S, 2, 'agent_invocation', { agent: 'Plan', status: 'started', tool_use_id: 't2' }),
    ]);
    expect(s.agents.invocations).toBe(2);
    expect(s.agents.running.map((r) => r.agent)).toEqual(['explorer', 'Plan']);
    s = fold(
      [
        event(S, 3, 'agent_invocation', {
          agent: 'explorer',
          status: 'completed',
          tool_use_id: 't1',
          agent_id: 'a1',
          duration_ms: 1200,
        }),
        // The same end again (hook and import): not counted twice.
        event(S, 4, 'agent_invocation', { agent: 'explorer', status: 'completed', tool_use_id: 't1' }),
        event(S, 5, 'agent_invocation', { agent: 'reviewer', success: false }),
      ],
      s,
    );
    expect(s.agents.invocations).toBe(3);
    expect(s.agents.running.map((r) => r.agent)).toEqual(['Plan']);
    expect(s.agents.recent.map((r) => [r.agent, r.status, r.reason])).toEqual([
      ['explorer', 'completed', 'look around'],
      ['reviewer', 'failed', undefined],
    ]);
    expect(s.agents.byAgent.explorer).toEqual({ invocations: 1, completed: 1, failed: 0, durationMs: 1200 });
    expect(s.agents.byAgent.reviewer).toEqual({ invocations: 1, completed: 0, failed: 1, durationMs: 0 });
    expect(summarizeSessionState(s).agents).toEqual({ invocations: 3, running: 1, completed: 1, failed: 1 });
  });

  it('keeps the latest TodoWrite list of each agent', () => {
    const todos = (items: Array<[string, string]>) => ({
      tool: 'TodoWrite',
      success: true,
      parameters: {
        todos: items.map(([content, status]) => ({ content, status, activeForm: `doing ${content}` })),
      },
    });
    const s = fold([
      event(S, 1, 'tool_usage', todos([['write tests', 'pending']])),
      event(
        S,
        2,
        'tool_usage',
        todos([
          ['write tests', 'completed'],
          ['fix lint', 'in_progress'],
        ]),
      ),
      event(S, 3, 'tool_usage', todos([['explore', 'pending']]), { agent: 'explorer' }),
    ]);
    expect(s.todos.main?.items).toEqual([
      { content: 'write tests', status: 'completed', activeForm: 'doing write tests' },
      { content: 'fix lint', status: 'in_progress', activeForm: 'doing fix lint' },
    ]);
    expect(s.todos.explorer?.items.map((i) => i.content)).toEqual(['explore']);
    expect(summarizeSessionState(s).todos).toEqual({ total: 3, completed: 1, inProgress: 1, pending: 1 });
  });

  it('tracks files changed (not read), with git hash, last operation, renames and deletes', () => {
    const h = 'a'.repeat(40);
    const s = fold([
      event(S, 1, 'file_operation', { operation: 'read', path: 'README.md' }),
      event(S, 2, 'file_operation', { operation: 'create', path: 'src/a.ts', git_hash: h }),
      event(S, 3, 'file_operation', { operation: 'modify', path: 'src/a.ts' }),
      event(S, 4, 'file_operation', { operation: 'rename', path: 'src/b.ts', from_path: 'src/a.ts' }),
      event(S, 5, 'file_operation', { operation: 'delete', path: 'old.txt', git_hash: h }),
    ]);
    expect(Object.keys(s.files).sort()).toEqual(['old.txt', 'src/b.ts']);
    expect(s.files['src/b.ts']).toMatchObject({
      operation: 'rename',
      operations: 3,
      fromPath: 'src/a.ts',
      firstSeq: 2,
      lastSeq: 4,
    });
    expect(s.files['old.txt']?.gitHash).toBeUndefined();
  });

  it('opens errors and failed tool calls, and closes them on a fix or a later successful call', () => {
    let s = fold([
      event(S, 1, 'tool_usage', {
        tool: 'Bash',
        parameters: { command: 'pnpm test' },
        success: false,
        tool_use_id: 't1',
        error: 'Exit code 1',
      }),
      // The error event of the same call merges into the same entry.
      event(S, 2, 'error', { error_type: 'exit_code_1', message: '2 tests failed', tool_use_id: 't1' }),
      event(S, 3, 'error', { error_type: 'TypeError', message: 'x is undefined' }),
      event(S, 4, 'validation', { task: 'lint', checks: [{ name: 'biome', passed: false }], result: 'fail' }),
    ]);
    expect(s.errors.count).toBe(2);
    expect(s.errors.open.map((e) => [e.errorType, e.source, e.callKey])).toEqual([
      ['exit_code_1', 'tool', 'Bash:pnpm test'],
      ['TypeError', 'error', undefined],
    ]);
    expect(s.validations.failed).toMatchObject([{ task: 'lint', failedChecks: ['biome'] }]);
    s = fold(
      [
        event(S, 5, 'tool_usage', { tool: 'Bash', parameters: { command: 'pnpm test' }, success: true }),
        event(S, 6, 'error', { error_type: 'TypeError', fix_successful: true }),
        event(S, 7, 'validation', {
          task: 'lint',
          checks: [{ name: 'biome', passed: true }],
          result: 'pass',
        }),
      ],
      s,
    );
    expect(s.errors.open).toEqual([]);
    expect(s.validations.failed).toEqual([]);
  });

  it('keeps at most STATE_LIMITS.openErrors open errors in detail and counts the rest', () => {
    const events = Array.from({ length: STATE_LIMITS.openErrors + 7 }, (_, i) =>
      event(S, i + 1, 'error', { error_type: `E${i}` }),
    );
    const s = fold(events);
    expect(s.errors.open).toHaveLength(STATE_LIMITS.openErrors);
    expect(s.errors.openDropped).toBe(7);
    expect(summarizeSessionState(s).openErrors).toBe(STATE_LIMITS.openErrors + 7);
  });

  it('counts tokens by model once per response (largest figures), and task_result estimates only without a transcript', () => {
    const tokens = (input: number, output: number) => ({
      input,
      output,
      cacheCreation: 100,
      cacheRead: 1000,
    });
    let s = fold([
      event(S, 1, 'api_response', {
        model: 'claude-opus-4-6',
        message_id: 'm1',
        request_id: 'r1',
        tokens: tokens(10, 5),
        source: 'transcript',
      }),
      // The same response once complete: only the larger figures are added.
      event(S, 2, 'api_response', {
        model: 'claude-opus-4-6',
        message_id: 'm1',
        request_id: 'r1',
        tokens: tokens(10, 50),
        source: 'transcript',
      }),
      event(
        S,
        3,
        'api_response',
        {
          model: 'claude-haiku-4-5',
          message_id: 'task-1',
          tokens: tokens(1, 1),
          source: 'task_result',
          agent_id: 'a1',
        },
        { agent: 'explorer' },
      ),
    ]);
    let sum = summarizeSessionState(s);
    expect(sum.byModel['claude-opus-4-6']?.tokens).toEqual({
      input: 10,
      output: 50,
      cacheCreation: 100,
      cacheRead: 1000,
    });
    expect(sum.byModel['claude-opus-4-6']?.responses).toBe(1);
    expect(sum.byModel['claude-haiku-4-5']?.responses).toBe(1);
    expect(sum.estimatedResponses).toBe(1);
    expect(sum.newTokens).toBe(10 + 50 + 100 + 1 + 1 + 100);
    // The sub-agent's own transcript arrives: its estimate no longer counts.
    s = reduceSession(
      s,
      event(
        S,
        4,
        'api_response',
        {
          model: 'claude-haiku-4-5',
          message_id: 'm9',
          tokens: tokens(7, 7),
          source: 'transcript',
          agent_id: 'a1',
        },
        { agent: 'explorer' },
      ),
    );
    sum = summarizeSessionState(s);
    expect(sum.estimatedResponses).toBe(0);
    expect(sum.byModel['claude-haiku-4-5']?.tokens.input).toBe(7);
    expect(sum.cost).toBeGreaterThan(0);
  });

  it('measures context fill from the latest main-agent response against the model window', () => {
    const s = fold([
      event(S, 1, 'api_response', {
        model: 'claude-opus-4-6',
        message_id: 'm1',
        tokens: { input: 1000, output: 10, cacheCreation: 9000, cacheRead: 150_000 },
        source: 'transcript',
      }),
      // A sub-agent's response does not move the main context.
      event(
        S,
        2,
        'api_response',
        {
          model: 'claude-haiku-4-5',
          message_id: 'm2',
          tokens: { input: 5, output: 5, cacheCreation: 5, cacheRead: 5 },
          source: 'transcript',
          agent_id: 'a1',
        },
        { agent: 'explorer' },
      ),
    ]);
    expect(summarizeSessionState(s).context).toEqual({
      model: 'claude-opus-4-6',
      tokens: 160_000,
      window: 200_000,
      percent: 80,
      windowKnown: true,
    });
  });

  it('keeps the goal, the last prompts and messages, phase, start and end, transcript and lifecycle records', () => {
    const s = fold([
      event(
        S,
        1,
        'session_start',
        { cwd: '/p', model: 'claude-opus-4-6', git_branch: 'main' },
        { meta: { transcript: '/t.jsonl' } },
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        event(S, i + 2, 'user_prompt', { text: `prompt ${i}`, chars: 8 }),
      ),
      event(S, 10, 'turn_end', { last_message: 'done with step 1' }),
      event(S, 11, 'phase', { phase: 2, name: 'review' }),
      event(S, 12, 'snapshot', { snapshot_id: 'snap1', trigger: 'manual', at_seq: 11 }),
      event(S, 13, 'handoff', { path: '/h.md', tokens: 300 }),
      event(S, 14, 'session_end', { reason: 'exit' }),
    ]);
    expect(s.goal?.text).toBe('prompt 0');
    expect(s.prompts).toBe(8);
    expect(s.recentPrompts.map((p) => p.text)).toEqual([
      'prompt 3',
      'prompt 4',
      'prompt 5',
      'prompt 6',
      'prompt 7',
    ]);
    expect(s.lastMessages.map((m) => m.text)).toEqual(['done with step 1']);
    expect(s).toMatchObject({
      cwd: '/p',
      gitBranch: 'main',
      model: 'claude-opus-4-6',
      transcript: '/t.jsonl',
      phase: { value: 2, name: 'review', seq: 11 },
      lastSnapshot: { id: 'snap1', atSeq: 11, seq: 12 },
      lastHandoff: { path: '/h.md', tokens: 300, seq: 13 },
      ended: true,
      endSeq: 14,
      endReason: 'exit',
      lastSeq: 14,
      events: 14,
    });
    // Bookkeeping events do not count as activity.
    expect(s.lastActivityAt).toBe(s.end);
    expect(s.counts).toMatchObject({ user_prompt: 8, session_start: 1 });
  });

  it('ignores events already folded in and events of other sessions', () => {
    const e = event(S, 1, 'decision', { question: 'q', selected: 'a' });
    const s = reduceSession(emptySessionState(S), e);
    expect(reduceSession(s, e)).toBe(s);
    expect(reduceSession(s, event('other', 2, 'decision', { question: 'q', selected: 'b' }))).toBe(s);
  });

  it('never modifies the state it is given (property, 200 random streams)', () => {
    fc.assert(
      fc.property(fc.array(draftArbitrary, { maxLength: 60 }), (drafts) => {
        let state = deepFreeze(emptySessionState(S));
        for (const e of toEvents(S, drafts)) state = deepFreeze(reduceSession(state, e));
        return state.lastSeq === drafts.length;
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same state folded in place (replays) as folded purely (property, 200 random streams)', () => {
    fc.assert(
      fc.property(fc.array(draftArbitrary, { maxLength: 80 }), (drafts) => {
        const events = toEvents(S, drafts);
        const pure = fold(events);
        const inPlace = events.reduce(reduceSessionInPlace, emptySessionState(S));
        expect(inPlace).toEqual(pure);
      }),
      { numRuns: 200 },
    );
  });
});
