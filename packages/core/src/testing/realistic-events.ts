import type { NewEvent } from '../events/envelope.js';
import type { EventType } from '../events/payloads.js';

/** Options of {@link realisticEvents}. */
export interface RealisticEventOptions {
  session: string;
  /** Seed of the deterministic generator. Default 1. */
  seed?: number;
  /** Time of the first event. Default 2026-01-01T00:00:00Z. */
  start?: number;
}

const TOOLS = ['Bash', 'Read', 'Edit', 'Write', 'Grep', 'Glob', 'WebSearch', 'WebFetch', 'Task', 'TodoWrite'];
const AGENTS = ['main', 'main', 'main', 'code-reviewer', 'test-runner', 'explorer', 'planner'];
const FILES = [
  'src/index.ts',
  'src/server.ts',
  'src/db/schema.ts',
  'README.md',
  'package.json',
  'test/api.test.ts',
  'src/cli/main.ts',
];
const COMMANDS = [
  'pnpm test',
  'git status',
  'pnpm lint --fix',
  'ls -la src',
  'rg TODO src',
  'pnpm build',
  'git diff --stat',
];
const ERRORS = ['TypeError', 'TestFailure', 'LintError', 'Timeout', 'ENOENT', 'ExitCode1'];

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
 * A deterministic stream of realistic events (about 270 bytes each once written): mostly tool
 * calls, with agent invocations, file operations, decisions, errors, validations and context
 * snapshots in the proportions a Claude Code session shows.
 *
 * @example
 * for (const event of realisticEvents({ session: 's1' }, 1000)) writer.append(event);
 */
export function* realisticEvents(options: RealisticEventOptions, count: number): Generator<NewEvent> {
  const random = rng(options.seed ?? 1);
  let time = options.start ?? Date.UTC(2026, 0, 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let i = 0; i < count; i++) {
    time += Math.floor(random() * 4000);
    yield realisticEvent(options.session, random, pick, time, i);
  }
}

/** One realistic event drawn from `random`. */
export function realisticEvent(
  session: string,
  random: () => number,
  pick: <T>(list: readonly T[]) => T,
  time: number,
  index: number,
): NewEvent {
  const agent = pick(AGENTS);
  const ts = new Date(time).toISOString();
  const roll = random();
  const type: EventType =
    roll < 0.62
      ? 'tool_usage'
      : roll < 0.72
        ? 'file_operation'
        : roll < 0.8
          ? 'agent_invocation'
          : roll < 0.86
            ? 'decision'
            : roll < 0.92
              ? 'error'
              : roll < 0.97
                ? 'validation'
                : 'context_snapshot';
  switch (type) {
    case 'tool_usage': {
      const tool = pick(TOOLS);
      const parameters = tool === 'Bash' ? { command: pick(COMMANDS) } : { file_path: pick(FILES) };
      return {
        type,
        session,
        agent,
        ts,
        data: {
          tool,
          parameters,
          duration_ms: Math.floor(random() * 3000),
          success: random() > 0.08,
          tool_use_id: `toolu_${index.toString(36).padStart(8, '0')}`,
        },
      };
    }
    case 'file_operation':
      return {
        type,
        session,
        agent,
        ts,
        data: {
          operation: pick(['modify', 'create', 'read'] as const),
          path: pick(FILES),
          bytes: Math.floor(random() * 20000),
        },
      };
    case 'agent_invocation':
      return {
        type,
        session,
        agent,
        ts,
        data: {
          agent: pick(AGENTS.slice(3)),
          invoked_by: 'main',
          reason: 'Review the changes in src/ for correctness and style',
          status: 'completed',
          duration_ms: Math.floor(random() * 90_000),
          success: random() > 0.1,
          tokens: {
            input: Math.floor(random() * 900),
            output: Math.floor(random() * 4000),
            cacheCreation: Math.floor(random() * 20000),
            cacheRead: Math.floor(random() * 200000),
          },
        },
      };
    case 'decision':
      return {
        type,
        session,
        agent,
        ts,
        data: {
          question: 'Which storage engine for analytics?',
          options: ['SQLite', 'DuckDB'],
          selected: 'SQLite',
          rationale: 'embedded, no server',
        },
      };
    case 'error':
      return {
        type,
        session,
        agent,
        ts,
        data: {
          error_type: pick(ERRORS),
          message: 'Command failed with exit code 1',
          context: { file: pick(FILES) },
          attempted_fix: 'retry',
          fix_successful: random() > 0.5,
        },
      };
    case 'validation':
      return {
        type,
        session,
        agent,
        ts,
        data: {
          task: 'unit tests',
          checks: [
            { name: 'pnpm test', passed: random() > 0.2 },
            { name: 'lint', passed: true },
          ],
          result: random() > 0.2 ? 'pass' : 'fail',
        },
      };
    default:
      return {
        type: 'context_snapshot',
        session,
        agent,
        ts,
        data: {
          tokens_before: 150_000 + Math.floor(random() * 40_000),
          tokens_after: 30_000,
          trigger: 'auto',
          files_in_context: [pick(FILES)],
        },
      };
  }
}
