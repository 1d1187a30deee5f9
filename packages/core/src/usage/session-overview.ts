import type { AnySatEvent } from '../events/envelope.js';
import { type EventOwner, eventOrigin } from '../events/event-origin.js';
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
  /** Whose the session is when it was imported from someone else's bundle: the origin of its first `session_start` (else of its first event). Absent: recorded here. */
  origin?: EventOwner;
}

const LISTED_ERRORS = 20;

/** An event's place in time: merged sessions hold appended events out of seq order, so "first" means by (ts, id). */
type Place = Pick<AnySatEvent, 'ts' | 'id'>;

function earlier(a: Place, b: Place | undefined): boolean {
  return b === undefined || a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

function byPlace(a: Place, b: Place): number {
  return earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Files changed, each with its operations, ordered by their first change in time. */
class FileChanges {
  private readonly files = new Map<string, { first: Place; ops: Map<string, Place>; count: number }>();

  add(event: AnySatEvent & { type: 'file_operation' }): void {
    if (event.data.operation === 'read') return;
    const file = this.files.get(event.data.path) ?? { first: event, ops: new Map(), count: 0 };
    if (earlier(event, file.first)) file.first = event;
    const op = file.ops.get(event.data.operation);
    if (earlier(event, op)) file.ops.set(event.data.operation, event);
    file.count++;
    this.files.set(event.data.path, file);
  }

  result(): FileChange[] {
    return [...this.files.entries()]
      .sort(([, a], [, b]) => byPlace(a.first, b.first))
      .map(([path, file]) => ({
        path,
        operations: [...file.ops.entries()].sort(([, a], [, b]) => byPlace(a, b)).map(([op]) => op),
        count: file.count,
      }));
  }
}

/** The first {@link LISTED_ERRORS} errors in time, kept while streaming in any order. */
function keepFirstErrors(
  errors: Array<ErrorSummary & { id: string }>,
  event: AnySatEvent & { type: 'error' },
): void {
  const last = errors[errors.length - 1];
  if (errors.length >= LISTED_ERRORS && last && !earlier(event, last)) return;
  const error: ErrorSummary & { id: string } = {
    ts: event.ts,
    agent: event.agent,
    errorType: event.data.error_type,
    id: event.id,
  };
  if (event.data.message !== undefined) error.message = event.data.message;
  errors.push(error);
  errors.sort(byPlace);
  if (errors.length > LISTED_ERRORS) errors.pop();
}

type Facts = Pick<SessionOverview, 'client' | 'cwd' | 'gitBranch'>;

/** What one pass over a session's events gathers; every "first" is by time, so events appended out of order (a merge) give the same overview. */
class OverviewAccumulator {
  readonly usage = new UsageAccumulator();
  readonly tools: Record<string, ToolSummary> = {};
  readonly files = new FileChanges();
  readonly errorTypes: Record<string, number> = {};
  readonly firstErrors: Array<ErrorSummary & { id: string }> = [];
  start?: string;
  last?: string;
  end?: Place;
  started?: AnySatEvent;
  firstEvent?: AnySatEvent;
  firstPrompt?: AnySatEvent & { type: 'user_prompt' };
  private readonly facts = new Map<keyof Facts, { place: Place; value: string }>();
  events = 0;
  prompts = 0;
  decisions = 0;

  add(event: AnySatEvent): void {
    this.events++;
    this.usage.add(event);
    if (this.start === undefined || event.ts < this.start) this.start = event.ts;
    if (this.last === undefined || event.ts > this.last) this.last = event.ts;
    if (earlier(event, this.firstEvent)) this.firstEvent = event;
    switch (event.type) {
      case 'session_start':
        if (earlier(event, this.started)) this.started = event;
        this.fact('client', event, event.data.client);
        this.fact('cwd', event, event.data.cwd);
        this.fact('gitBranch', event, event.data.git_branch);
        break;
      case 'session_end':
        if (!this.end || earlier(this.end, event)) this.end = event;
        break;
      case 'user_prompt':
        this.prompts++;
        if (earlier(event, this.firstPrompt)) this.firstPrompt = event;
        break;
      case 'tool_usage': {
        const tool = slot(this.tools, event.data.tool, () => ({ uses: 0, failures: 0, durationMs: 0 }));
        tool.uses++;
        if (!event.data.success) tool.failures++;
        tool.durationMs += event.data.duration_ms ?? 0;
        break;
      }
      case 'file_operation':
        this.files.add(event);
        break;
      case 'decision':
        this.decisions++;
        break;
      case 'error':
        this.errorTypes[event.data.error_type] = (this.errorTypes[event.data.error_type] ?? 0) + 1;
        keepFirstErrors(this.firstErrors, event);
        break;
      default:
        break;
    }
  }

  /** A fact of the session (its folder, say): from the earliest `session_start` that names it. */
  private fact(name: keyof Facts, event: Place, value: string | undefined): void {
    const known = this.facts.get(name);
    if (value !== undefined && earlier(event, known?.place)) this.facts.set(name, { place: event, value });
  }

  result(session: string, options: SessionUsageOptions): SessionOverview {
    const facts: Facts = {};
    for (const [name, { value }] of this.facts) facts[name] = value;
    const overview: SessionOverview = {
      ...this.usage.result(session, options.prices ?? DEFAULT_PRICES),
      ended: this.end !== undefined,
      events: this.events,
      ...facts,
      prompts: this.prompts,
      tools: sortedKeys(this.tools),
      filesChanged: this.files.result(),
      decisions: this.decisions,
      errorTypes: sortedKeys(this.errorTypes),
      firstErrors: this.firstErrors.map(({ id: _id, ...error }) => error),
    };
    if (this.start !== undefined) overview.start = this.start;
    const end = this.end?.ts ?? this.last;
    if (end !== undefined) overview.end = end;
    if (this.firstPrompt !== undefined) overview.firstPrompt = this.firstPrompt.data.text;
    const origin = eventOrigin(this.started ?? this.firstEvent ?? {});
    if (origin) overview.origin = { user: origin.user, machine: origin.machine };
    return overview;
  }
}

/**
 * Streams a session's events once and returns what happened (start and end, prompts, tools with
 * their failures, files changed, decisions, errors, sub-agents invoked) with the token usage and
 * cost of {@link sessionUsage}, overall, per agent and per model. Whatever is "first" or "last" is
 * so in time (ts, then id), not in the log's order, so a merged session whose events were appended
 * out of order reads the same as one recorded in order.
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
  const acc = new OverviewAccumulator();
  const read: ReadOptions = { quarantine: false };
  if (options.onIssue) read.onIssue = options.onIssue;
  for await (const event of readSessionEvents(logsDir, session, read)) acc.add(event);
  return acc.result(session, options);
}
