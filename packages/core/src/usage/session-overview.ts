import { type ReadOptions, readSessionEvents } from '../log/event-reader.js';
import { DEFAULT_PRICES } from '../pricing/prices.js';
import { type SessionUsage, type SessionUsageOptions, slot, UsageAccumulator } from './session-usage.js';

/** One tool's calls in a session. */
export interface ToolSummary {
  uses: number;
  failures: number;
  /** Sum of the recorded durations. */
  durationMs: number;
}

/** One file the session changed. */
export interface FileChange {
  path: string;
  /** The operations in order of first occurrence (`create`, `modify`, `delete`, `rename`). */
  operations: string[];
  /** How many operations touched it. */
  count: number;
}

/** One error of the session, as listed in {@link SessionOverview}. */
export interface ErrorSummary {
  ts: string;
  agent: string;
  errorType: string;
  message?: string;
}

/** What happened in a session, and what it cost: everything `sat show` prints. */
export interface SessionOverview extends SessionUsage {
  /** Time of the first event, and of the `session_end` (or the last event while none). */
  start?: string;
  end?: string;
  /** True when the session has a `session_end` event. */
  ended: boolean;
  events: number;
  /** From the `session_start` event. */
  client?: string;
  cwd?: string;
  gitBranch?: string;
  prompts: number;
  /** The first prompt's text (up to 2,000 characters): the session's goal. */
  firstPrompt?: string;
  tools: Record<string, ToolSummary>;
  /** Files created, modified, deleted or renamed (reads are not changes), in order of first change. */
  filesChanged: FileChange[];
  decisions: number;
  /** Errors by `error_type`. */
  errorTypes: Record<string, number>;
  /** The first 20 errors. */
  firstErrors: ErrorSummary[];
}

const LISTED_ERRORS = 20;

/**
 * Streams a session's events once and returns what happened (start and end, prompts, tools with
 * their failures, files changed, decisions, errors, sub-agents invoked) with the token usage and
 * cost of {@link sessionUsage}, overall, per agent and per model.
 *
 * @example
 * const overview = await sessionOverview(config.paths.logs, session, { prices: config.prices });
 * console.log(overview.firstPrompt, overview.tokens, overview.cost, overview.byAgent);
 */
export async function sessionOverview(
  logsDir: string,
  session: string,
  options: SessionUsageOptions = {},
): Promise<SessionOverview> {
  const usage = new UsageAccumulator();
  const tools: Record<string, ToolSummary> = {};
  const files = new Map<string, FileChange>();
  const errorTypes: Record<string, number> = {};
  const firstErrors: ErrorSummary[] = [];
  let start: string | undefined;
  let last: string | undefined;
  let endTs: string | undefined;
  let events = 0;
  let prompts = 0;
  let decisions = 0;
  let firstPrompt: string | undefined;
  const facts: Pick<SessionOverview, 'client' | 'cwd' | 'gitBranch'> = {};
  const read: ReadOptions = { quarantine: false };
  if (options.onIssue) read.onIssue = options.onIssue;
  for await (const event of readSessionEvents(logsDir, session, read)) {
    events++;
    usage.add(event);
    if (start === undefined || event.ts < start) start = event.ts;
    if (last === undefined || event.ts > last) last = event.ts;
    switch (event.type) {
      case 'session_start':
        if (event.data.client !== undefined) facts.client ??= event.data.client;
        if (event.data.cwd !== undefined) facts.cwd ??= event.data.cwd;
        if (event.data.git_branch !== undefined) facts.gitBranch ??= event.data.git_branch;
        break;
      case 'session_end':
        endTs = event.ts;
        break;
      case 'user_prompt':
        prompts++;
        firstPrompt ??= event.data.text;
        break;
      case 'tool_usage': {
        const tool = slot(tools, event.data.tool, () => ({ uses: 0, failures: 0, durationMs: 0 }));
        tool.uses++;
        if (!event.data.success) tool.failures++;
        tool.durationMs += event.data.duration_ms ?? 0;
        break;
      }
      case 'file_operation': {
        if (event.data.operation === 'read') break;
        const file = files.get(event.data.path) ?? { path: event.data.path, operations: [], count: 0 };
        if (!file.operations.includes(event.data.operation)) file.operations.push(event.data.operation);
        file.count++;
        files.set(event.data.path, file);
        break;
      }
      case 'decision':
        decisions++;
        break;
      case 'error': {
        errorTypes[event.data.error_type] = (errorTypes[event.data.error_type] ?? 0) + 1;
        if (firstErrors.length < LISTED_ERRORS) {
          const error: ErrorSummary = { ts: event.ts, agent: event.agent, errorType: event.data.error_type };
          if (event.data.message !== undefined) error.message = event.data.message;
          firstErrors.push(error);
        }
        break;
      }
      default:
        break;
    }
  }
  const overview: SessionOverview = {
    ...usage.result(session, options.prices ?? DEFAULT_PRICES),
    ended: endTs !== undefined,
    events,
    ...facts,
    prompts,
    tools,
    filesChanged: [...files.values()],
    decisions,
    errorTypes,
    firstErrors,
  };
  if (start !== undefined) overview.start = start;
  const end = endTs ?? last;
  if (end !== undefined) overview.end = end;
  if (firstPrompt !== undefined) overview.firstPrompt = firstPrompt;
  return overview;
}
