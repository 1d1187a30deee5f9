import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  EventSchemas,
  EventWriter,
  isSatError,
  type NewEvent,
  PAYLOAD_VERSIONS,
} from '../src/index.js';
import { readAll, tempDir } from './helpers.js';

const VALID: { [K in (typeof EVENT_TYPES)[number]]: Record<string, unknown> } = {
  agent_invocation: { agent: 'reviewer', invoked_by: 'main', reason: 'review', context: { pr: 12 } },
  tool_usage: { tool: 'Bash', parameters: { command: 'ls' }, duration_ms: 12, success: true },
  decision: { question: 'DB?', options: ['SQLite', 'Postgres'], selected: 'SQLite', rationale: 'embedded' },
  validation: { task: 'tests', checks: [{ name: 'unit', passed: true }], result: 'pass' },
  error: { error_type: 'TypeError', context: 'src/a.ts', attempted_fix: 'null check', fix_successful: true },
  file_operation: { operation: 'modify', path: 'src/a.ts', diff: '@@ -1 +1 @@', git_hash: 'a'.repeat(40) },
  context_snapshot: { tokens_before: 180_000, tokens_after: 40_000, files_in_context: ['a.ts'] },
  session_start: { source: 'startup', cwd: '/p' },
  session_end: { reason: 'done' },
  phase: { phase: 2, name: 'build' },
  snapshot: { snapshot_id: 'snap1', trigger: 'manual' },
  handoff: { path: 'handoffs/x.md' },
  backup: { target: 'local' },
  alert: {
    kind: 'context',
    level: 'warning',
    message: 'context at 91% of 200,000 tokens',
    metric: 'context',
    value: 0.91,
    threshold: 0.9,
  },
  api_response: {
    model: 'claude-opus-4-6',
    message_id: 'msg_1',
    request_id: 'req_1',
    tokens: { input: 3, output: 13, cacheCreation: 13835, cacheRead: 11515 },
    source: 'transcript',
  },
  user_prompt: { text: 'fix the tests', chars: 13 },
  turn_end: { last_message: 'Done.' },
  notification: { message: 'Claude needs your permission to use Bash' },
};

function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

describe('event payload validation', () => {
  const schemas = new EventSchemas();

  it('accepts a valid payload of every type', () => {
    for (const type of EVENT_TYPES) expect(() => schemas.checkPayload(type, VALID[type])).not.toThrow();
  });

  it.each([
    ['tool_usage', { parameters: {}, success: true }, 'data.tool is required'],
    ['tool_usage', { tool: 'Bash', success: 'yes' }, 'data.success expected boolean, got "yes"'],
    [
      'tool_usage',
      { tool: 'Bash', success: true, duration_ms: -1 },
      'data.duration_ms expected number to be greater or equal to 0, got -1',
    ],
    ['tool_usage', { tool: 'Bash', success: true, duraton_ms: 4 }, 'data.duraton_ms is not a known field'],
    ['agent_invocation', { invoked_by: 'main' }, 'data.agent is required'],
    ['agent_invocation', { agent: 'x', status: 'sleeping' }, 'data.status'],
    ['decision', { question: 'q' }, 'data.selected is required'],
    [
      'validation',
      { task: 't', checks: [{ name: 'a', passed: 'no' }], result: 'pass' },
      'data.checks[0].passed expected boolean',
    ],
    ['validation', { task: 't', checks: [], result: 'maybe' }, 'data.result'],
    ['error', { message: 'boom' }, 'data.error_type is required'],
    ['file_operation', { operation: 'chmod', path: 'a' }, 'data.operation'],
    ['file_operation', { operation: 'modify', path: 'a', git_hash: 'xyz' }, 'data.git_hash'],
    ['context_snapshot', { tokens_before: 1.5, tokens_after: 0 }, 'data.tokens_before expected integer'],
    ['phase', {}, 'data.phase is required'],
  ])('refuses an invalid %s payload and names the field (%j)', (type, data, expected) => {
    const error = thrown(() => schemas.checkPayload(type, data));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.message).toContain(`invalid ${type} event`);
    expect(error.message).toContain(expected);
  });

  it('refuses a payload that is not an object', () => {
    for (const data of [null, 'text', 42, [1]]) {
      expect(thrown(() => schemas.checkPayload('decision', data)).code).toBe('INVALID_EVENT');
    }
  });

  it('refuses an unknown event type and lists the known ones', () => {
    const error = thrown(() => schemas.checkPayload('tool_use', {}));
    expect(error.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(error.message).toContain('"tool_use"');
    expect(error.message).toContain('agent_invocation, tool_usage');
  });
});

describe('the writer refuses invalid envelopes before anything is written', () => {
  const cases: Array<[string, Partial<NewEvent> & Record<string, unknown>, string, string]> = [
    ['a bad session id', { session: '../etc' }, 'INVALID_SESSION_ID', 'invalid session id "../etc"'],
    ['an empty session id', { session: '' }, 'INVALID_SESSION_ID', 'invalid session id'],
    ['a bad timestamp', { ts: 'yesterday' }, 'INVALID_EVENT', 'ts must be an ISO-8601 time'],
    ['an invalid Date', { ts: new Date('nope') }, 'INVALID_EVENT', 'ts must be an ISO-8601 time'],
    ['an empty agent', { agent: '' }, 'INVALID_EVENT', 'agent must be a non-empty string'],
    ['an empty parent', { parent: '' }, 'INVALID_EVENT', 'parent must be an event id'],
    [
      'meta that is not an object',
      { meta: [] as unknown as Record<string, unknown> },
      'INVALID_EVENT',
      'meta must be an object',
    ],
    [
      'an unknown type',
      { type: 'telemetry' as never },
      'UNKNOWN_EVENT_TYPE',
      'unknown event type "telemetry"',
    ],
  ];

  it.each(cases)('%s', async (_name, override, code, message) => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    writer.append({ type: 'decision', session: 's', data: { question: 'q', selected: 'a' } });
    const error = thrown(() =>
      writer.append({
        type: 'decision',
        session: 's',
        data: { question: 'q', selected: 'a' },
        ...override,
      } as NewEvent),
    );
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    await writer.close();
    const { events } = await readAll(logsDir, 's');
    expect(events).toHaveLength(1);
  });

  it('refuses an event over the size limit', async () => {
    const writer = new EventWriter({ logsDir: tempDir() });
    const error = thrown(() =>
      writer.append({
        type: 'error',
        session: 's',
        data: { error_type: 'E', message: 'x'.repeat(17 * 1024 * 1024) },
      }),
    );
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.message).toContain('over the 16777216-byte limit');
    await writer.close();
  });
});

describe('schema versions', () => {
  // A registry where tool_usage has a second version: v1 events written before must stay readable.
  const ToolUsageV2 = Type.Object(
    { tool: Type.String(), ok: Type.Boolean(), ms: Type.Optional(Type.Number()) },
    { additionalProperties: false },
  );
  const table = {
    ...PAYLOAD_VERSIONS,
    tool_usage: [
      {
        schema: PAYLOAD_VERSIONS.tool_usage[0]!.schema,
        upgrade: (d: Record<string, unknown>) => ({ tool: d.tool, ok: d.success, ms: d.duration_ms }),
      },
      { schema: ToolUsageV2 },
    ],
  };

  it('reads events written with an older version, upgraded to the current shape', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    writer.append({
      type: 'tool_usage',
      session: 's',
      data: { tool: 'Bash', success: false, duration_ms: 7 },
    });
    await writer.close();
    const { events } = await readAll(logsDir, 's');
    expect(events[0]!.v).toBe(1);
    const upgraded = new EventSchemas(table).readStored(JSON.parse(JSON.stringify(events[0])));
    expect(upgraded.v).toBe(2);
    expect(upgraded.data).toEqual({ tool: 'Bash', ok: false, ms: 7 });
  });

  it('reports an event from a newer version as unknown, not corrupt', () => {
    const schemas = new EventSchemas();
    const event = {
      id: 'x',
      session: 's',
      seq: 1,
      ts: '2026-01-01T00:00:00.000Z',
      type: 'tool_usage',
      agent: 'main',
      v: 9,
      data: {},
    };
    const error = thrown(() => schemas.readStored(event));
    expect(error.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(error.message).toContain('newer than this sat knows');
    expect(isSatError({ isSatError: true, code: 'UNKNOWN_EVENT_TYPE' }, 'UNKNOWN_EVENT_TYPE')).toBe(true);
  });
});
