import type { NewEvent } from '../events/envelope.js';
import { realisticEvent } from './realistic-events.js';

/** Options of {@link realisticSessionEvents}. */
export interface RealisticSessionOptions {
  session: string;
  /** Seed of the deterministic generator. Default 1. */
  seed?: number;
  /** Time of the first event (epoch ms). Default 2026-01-01T00:00:00Z. */
  start?: number;
  /** The project phase the session starts in (`session_start.phase`); none by default. */
  phase?: string | number;
  /** `phase` events to insert: before the body event at index `at` (0-based), move to `phase`. */
  phaseChanges?: ReadonlyArray<{ at: number; phase: string | number }>;
  /** Share of the body that is `api_response` events. Default 0.1. */
  apiResponseShare?: number;
}

const MODELS = [
  'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-6',
];

/** Error messages as tools report them: the same few errors with varying numbers, paths and ids. */
const ERROR_TEMPLATES: ReadonlyArray<readonly [string, (n: number) => string]> = [
  ['ExitCode', (n) => `Command failed with exit code ${1 + (n % 3)}`],
  ['ENOENT', (n) => `ENOENT: no such file or directory, open '/home/dev/project/src/module-${n % 97}.ts'`],
  ['Timeout', (n) => `Test timed out after ${5000 + (n % 7) * 1000}ms`],
  [
    'TypeError',
    (n) => `TypeError: Cannot read properties of undefined (reading 'id') at line ${10 + (n % 300)}`,
  ],
  [
    'TypeScript',
    (n) =>
      `error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'. (${n % 50},${n % 9})`,
  ],
  ['TestFailure', (n) => `${2 + (n % 9)} tests failed in test/api-${n % 13}.test.ts`],
  ['Network', (n) => `fetch failed: connect ECONNREFUSED 127.0.0.1:${3000 + (n % 5)}`],
  [
    'RateLimit',
    (n) =>
      `Request 0x${(0x1f00 + n * 7919).toString(16)} rejected: rate limit exceeded (retry in ${n % 60}s)`,
  ],
  ['LintError', (n) => `lint: ${1 + (n % 40)} problems (${n % 5} errors, ${n % 11} warnings)`],
  [
    'NotFound',
    (n) =>
      `session ${((n * 2654435761) >>> 0).toString(16).padStart(8, '0')}-1c2d-4e5f-8a9b-${(n % 1e12).toString(16).padStart(12, '0')} not found`,
  ],
];

function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/**
 * A deterministic, whole realistic session of `count` events: `session_start`, then the mix of
 * {@link realisticEvent} (tool calls, file operations, invocations, decisions, errors with varied
 * messages, validations, context snapshots) with `api_response` events of the main agent and of
 * sub-agents (from their transcript, or estimated from a task result), `phase` events where asked,
 * and `session_end` last.
 *
 * @example
 * for (const event of realisticSessionEvents({ session: 's1', phase: 1 }, 2000)) writer.append(event);
 */
export function* realisticSessionEvents(
  options: RealisticSessionOptions,
  count: number,
): Generator<NewEvent> {
  const random = rng(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const session = options.session;
  const share = options.apiResponseShare ?? 0.1;
  const changes = [...(options.phaseChanges ?? [])].sort((a, b) => a.at - b.at);
  let time = options.start ?? Date.UTC(2026, 0, 1);
  const ts = () => new Date(time).toISOString();
  if (count <= 0) return;
  yield {
    type: 'session_start',
    session,
    ts: ts(),
    data: {
      source: 'startup',
      client: 'claude-code',
      model: MODELS[0]!,
      cwd: '/home/dev/project',
      git_branch: 'main',
      ...(options.phase !== undefined ? { phase: options.phase } : {}),
    },
  };
  const body = Math.max(0, count - 2);
  let change = 0;
  let emitted = 1;
  let messages = 0;
  // Sub-agent runs: each has an id, and either its own transcript or only its task result.
  const runs: Array<{ agent: string; id: string; transcript: boolean }> = [];
  for (let i = 0; i < body && emitted < count - 1; i++) {
    time += Math.floor(random() * 4000);
    while (change < changes.length && changes[change]!.at <= i && emitted < count - 1) {
      yield { type: 'phase', session, ts: ts(), data: { phase: changes[change]!.phase } };
      change++;
      emitted++;
    }
    if (emitted >= count - 1) break;
    if (random() < share) {
      messages++;
      const model = pick(MODELS);
      const sub = random() < 0.35;
      let agent = 'main';
      let agentId: string | undefined;
      let source: 'transcript' | 'task_result' = 'transcript';
      if (sub) {
        if (runs.length === 0 || random() < 0.15) {
          const agentType = pick(['code-reviewer', 'test-runner', 'explorer', 'planner']);
          runs.push({ agent: agentType, id: `${session}-a${runs.length}`, transcript: random() < 0.8 });
        }
        const run = runs[Math.floor(random() * runs.length)]!;
        agent = run.agent;
        agentId = run.id;
        source = run.transcript ? 'transcript' : 'task_result';
      }
      yield {
        type: 'api_response',
        session,
        agent,
        ts: ts(),
        data: {
          model,
          message_id: `msg_${session}_${messages}`,
          request_id: `req_${messages}`,
          tokens: {
            input: 1 + Math.floor(random() * 50),
            output: 20 + Math.floor(random() * 1500),
            cacheCreation: Math.floor(random() * 4000),
            cacheRead: Math.floor(random() * 60_000),
          },
          source,
          ...(agentId ? { agent_id: agentId } : {}),
        },
      };
    } else {
      const event = realisticEvent(session, random, pick, time, i);
      if (event.type === 'error') {
        const data = event.data as { error_type: string; message?: string };
        const [type, message] = ERROR_TEMPLATES[Math.floor(random() * ERROR_TEMPLATES.length)]!;
        data.error_type = type;
        data.message = message(Math.floor(random() * 100_000));
      }
      yield event;
    }
    emitted++;
  }
  if (count >= 2) {
    time += 1000;
    yield { type: 'session_end', session, ts: ts(), data: { reason: 'exit' } };
  }
}
