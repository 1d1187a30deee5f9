import fc from 'fast-check';
import type { AnySatEvent, EventPayloads, EventType, NewEvent, SatConfig } from '../../src/index.js';
import { EventWriter, loadConfig } from '../../src/index.js';
import { tempDir } from '../helpers.js';

/** A payload of some type, with the envelope fields a test chooses. */
export interface Draft {
  type: EventType;
  data: Record<string, unknown>;
  agent?: string;
  meta?: Record<string, unknown>;
}

/** Drops `undefined` values (the schemas refuse explicit undefined in JSON-ish payloads). */
function clean<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const word = fc.constantFrom('alpha', 'beta', 'gamma', 'fix tests', 'add endpoint', 'é unicode ☃');
const agentName = fc.constantFrom('main', 'main', 'explorer', 'reviewer');
const toolUseId = fc.constantFrom('toolu_1', 'toolu_2', 'toolu_3', 'toolu_4');
const agentId = fc.constantFrom('a1', 'a2', 'a3');
const model = fc.constantFrom('claude-opus-4-6', 'claude-haiku-4-5-20251001', 'claude-unknown-9');
const path = fc.constantFrom('src/a.ts', 'src/b.ts', 'README.md', '/abs/c.ts');
const hash = fc.constantFrom('a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40));
const count = fc.nat({ max: 12_000 });
const todo = fc.record({
  content: word,
  status: fc.constantFrom('pending', 'in_progress', 'completed'),
  activeForm: opt(word),
});

/** Random valid payloads of every event type, drawn from small pools so ids and keys repeat. */
export const draftArbitrary: fc.Arbitrary<Draft> = fc.oneof(
  fc.record({
    type: fc.constant('agent_invocation' as const),
    agent: agentName,
    data: fc
      .record({
        agent: fc.constantFrom('explorer', 'reviewer', 'Plan'),
        status: opt(fc.constantFrom('started', 'completed', 'failed')),
        tool_use_id: opt(toolUseId),
        agent_id: opt(agentId),
        success: opt(fc.boolean()),
        duration_ms: opt(fc.nat({ max: 100_000 })),
        reason: opt(word),
        model: opt(model),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('tool_usage' as const),
    agent: agentName,
    data: fc
      .record({
        tool: fc.constantFrom('Bash', 'Read', 'Edit', 'TodoWrite'),
        success: fc.boolean(),
        parameters: opt(
          fc.oneof(
            fc.record({ command: fc.constantFrom('pnpm test', 'ls') }),
            fc.record({ file_path: path }),
            fc.record({ todos: fc.array(todo, { maxLength: 4 }) }),
          ),
        ),
        tool_use_id: opt(toolUseId),
        error: opt(word),
        duration_ms: opt(fc.nat({ max: 5000 })),
      })
      .map((d) => clean(d as Record<string, unknown>)),
  }),
  fc.record({
    type: fc.constant('error' as const),
    agent: agentName,
    data: fc
      .record({
        error_type: fc.constantFrom('TypeError', 'TestFailure', 'exit_code_1'),
        message: opt(word),
        fix_successful: opt(fc.boolean()),
        tool_use_id: opt(toolUseId),
        attempted_fix: opt(word),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('validation' as const),
    agent: agentName,
    data: fc.record({
      task: fc.constantFrom('lint', 'tests'),
      checks: fc.array(fc.record({ name: word, passed: fc.boolean() }), { maxLength: 3 }),
      result: fc.constantFrom('pass', 'fail', 'partial'),
    }),
  }),
  fc.record({
    type: fc.constant('decision' as const),
    agent: agentName,
    data: fc
      .record({
        question: word,
        selected: word,
        rationale: opt(word),
        options: opt(fc.array(word, { maxLength: 3 })),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('file_operation' as const),
    agent: agentName,
    data: fc
      .record({
        operation: fc.constantFrom('create', 'modify', 'delete', 'read', 'rename'),
        path,
        from_path: opt(path),
        git_hash: opt(hash),
        bytes: opt(fc.nat({ max: 9999 })),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('context_snapshot' as const),
    agent: fc.constant('main'),
    data: fc
      .record({
        trigger: opt(fc.constantFrom('pre-compact:auto', 'post-compact:auto', 'measure')),
        tokens_before: opt(count),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('api_response' as const),
    agent: agentName,
    data: fc
      .record({
        model,
        message_id: fc.constantFrom('msg_1', 'msg_2', 'msg_3', 'msg_4', 'msg_5', 'msg_6'),
        request_id: opt(fc.constantFrom('req_1', 'req_2')),
        tokens: fc.record({ input: count, output: count, cacheCreation: count, cacheRead: count }),
        cache_creation_1h: opt(count),
        source: fc.constantFrom('transcript', 'transcript', 'task_result'),
        agent_id: opt(agentId),
      })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('user_prompt' as const),
    agent: fc.constant('main'),
    data: word.map((text) => ({ text, chars: text.length })),
  }),
  fc.record({
    type: fc.constant('turn_end' as const),
    agent: agentName,
    data: fc.record({ last_message: opt(word) }).map(clean),
  }),
  fc.record({
    type: fc.constant('session_start' as const),
    agent: fc.constant('main'),
    data: fc.record({ cwd: opt(fc.constant('/project')), model: opt(model) }).map(clean),
    meta: opt(fc.record({ transcript: fc.constant('/t/session.jsonl') })),
  }),
  fc.record({
    type: fc.constant('session_end' as const),
    agent: fc.constant('main'),
    data: fc.record({ reason: opt(word) }).map(clean),
  }),
  fc.record({
    type: fc.constant('phase' as const),
    agent: fc.constant('main'),
    data: fc.record({ phase: fc.oneof(fc.nat({ max: 5 }), word), name: opt(word) }).map(clean),
  }),
  fc.record({
    type: fc.constant('handoff' as const),
    agent: fc.constant('main'),
    data: fc
      .record({ path: fc.constant('/h/x.md'), trigger: opt(fc.constantFrom('manual', 'context-fill')) })
      .map(clean),
  }),
  fc.record({
    type: fc.constant('notification' as const),
    agent: fc.constant('main'),
    data: fc.record({ message: word }),
  }),
) as fc.Arbitrary<Draft>;

/** Envelopes for drafts: seq 1.., one second apart, in session `session`. */
export function toEvents(
  session: string,
  drafts: readonly Draft[],
  start = Date.UTC(2026, 0, 1),
): AnySatEvent[] {
  return drafts.map((draft, i) => {
    const event = {
      id: `e-${i + 1}`,
      session,
      seq: i + 1,
      ts: new Date(start + i * 1000).toISOString(),
      type: draft.type,
      agent: draft.agent ?? 'main',
      v: 1,
      data: draft.data,
    } as AnySatEvent;
    if (draft.meta) event.meta = draft.meta;
    return event;
  });
}

/** One in-memory event of `type` (seq and time given). */
export function event<T extends EventType>(
  session: string,
  seq: number,
  type: T,
  data: EventPayloads[T],
  extra: { agent?: string; meta?: Record<string, unknown>; ts?: string } = {},
): AnySatEvent {
  return {
    id: `e-${seq}`,
    session,
    seq,
    ts: extra.ts ?? new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    type,
    agent: extra.agent ?? 'main',
    v: 1,
    data,
    ...(extra.meta ? { meta: extra.meta } : {}),
  } as AnySatEvent;
}

/** A fresh data root with a project folder; the config has no file and no environment. */
export function testConfig(
  overrides: Parameters<typeof loadConfig>[0] = {},
): SatConfig & { project: string } {
  const root = tempDir('sat-snap-');
  const config = loadConfig({ root: `${root}/data`, cwd: root, env: {}, ...overrides });
  return Object.assign(config, { project: root });
}

/** Appends drafts to a session's log (through the real writer) and waits for them to be written. */
export async function appendDrafts(
  config: SatConfig,
  session: string,
  drafts: readonly Draft[],
  ts?: (i: number) => Date,
): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs });
  drafts.forEach((draft, i) => {
    const event: NewEvent = {
      type: draft.type,
      session,
      data: draft.data as never,
      agent: draft.agent ?? 'main',
    };
    if (draft.meta) event.meta = draft.meta;
    if (ts) event.ts = ts(i);
    writer.append(event);
  });
  await writer.close();
}

/** Deep-freezes a value (a reducer that writes to it throws). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** A main-agent API response of `claude-opus-4-6` (a 200k window) with `used` input tokens: how full the context is. */
export function contextFill(session: string, seq: number, used: number): AnySatEvent {
  return event(session, seq, 'api_response', {
    model: 'claude-opus-4-6',
    message_id: `m${seq}`,
    tokens: { input: used, output: 0, cacheCreation: 0, cacheRead: 0 },
    source: 'transcript',
  });
}
