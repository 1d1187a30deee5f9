import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import type { UsageFact, UsageTokenCounts } from '../usage/usage-facts.js';

/** A gap between two events longer than this counts as idle: at most 5 minutes of it are active time. */
export const IDLE_CAP_MS = 5 * 60_000;
/** Two failures at most this many events apart fail together (also when in one turn: see `FailurePairs`). */
export const FAIL_TOGETHER_EVENTS = 10;

/** Two tools whose failures came together in a session, and how often. */
export interface DigestFailurePair {
  /** In name order. */
  tools: [string, string];
  together: number;
}

/** One sub-agent run of a session, with the tokens of its own responses. */
export interface DigestTaskRun {
  agent: string;
  /** The description of the Task/Agent call that started it (`reason`); null when none was given. */
  task: string | null;
  agentId: string | null;
  /** The phase it started in (`''`: none). */
  phase: string;
  /** Epoch ms of its start. */
  at: number;
  /** Null while it has not ended. */
  success: boolean | null;
  /** Its responses (those carrying its `agent_id`), per model, after the usage ledger's rules. */
  usage: Array<{ model: string; tokens: UsageTokenCounts }>;
}

/** Active time: the gaps between consecutive events, each capped at {@link IDLE_CAP_MS}. */
export class ActiveTime {
  ms = 0;
  private last = Number.NaN;

  add(at: number): void {
    if (Number.isFinite(this.last) && at > this.last) this.ms += Math.min(at - this.last, IDLE_CAP_MS);
    if (!(at < this.last)) this.last = at;
  }
}

/**
 * Tools failing together: a failed call pairs with every other tool that failed in the same turn
 * (the events after a `user_prompt`, up to the next `user_prompt` or `turn_end`) or at most
 * {@link FAIL_TOGETHER_EVENTS} events before it.
 */
export class FailurePairs {
  private readonly pairs = new Map<string, DigestFailurePair>();
  private turn: Map<string, number> | null = null;
  private readonly recent: Array<{ tool: string; index: number }> = [];

  boundary(event: AnySatEvent): void {
    if (event.type === 'user_prompt') this.turn = new Map();
    else if (event.type === 'turn_end') this.turn = null;
  }

  failure(tool: string, index: number): void {
    while (this.recent.length > 0 && index - this.recent[0]!.index > FAIL_TOGETHER_EVENTS)
      this.recent.shift();
    const others = new Set<string>(this.turn ? this.turn.keys() : []);
    for (const r of this.recent) others.add(r.tool);
    others.delete(tool);
    for (const other of others) {
      const tools = (other < tool ? [other, tool] : [tool, other]) as [string, string];
      const key = `${tools[0]}\u0000${tools[1]}`;
      const pair = this.pairs.get(key) ?? { tools, together: 0 };
      this.pairs.set(key, pair);
      pair.together++;
    }
    this.turn?.set(tool, index);
    this.recent.push({ tool, index });
  }

  result(): DigestFailurePair[] {
    return [...this.pairs.values()];
  }
}

/** Completed items of a TodoWrite call's list (`todos[].status === 'completed'`); null when it has no list. */
export function completedTodos(event: SatEvent<'tool_usage'>): number | null {
  const list = event.data.parameters?.todos;
  if (!Array.isArray(list)) return null;
  let done = 0;
  for (const item of list)
    if (typeof item === 'object' && item !== null && (item as { status?: unknown }).status === 'completed')
      done++;
  return done;
}

/** Sub-agent runs paired by `tool_use_id` or `agent_id`, with their usage attached at the end. */
export class TaskRuns {
  private readonly runs: DigestTaskRun[] = [];
  private readonly open = new Map<string, DigestTaskRun>();

  invocation(event: SatEvent<'agent_invocation'>, at: number, phase: string): void {
    const d = event.data;
    if (d.agent === 'main') return;
    const keys = [d.tool_use_id && `t:${d.tool_use_id}`, d.agent_id && `a:${d.agent_id}`].filter(
      (k): k is string => typeof k === 'string',
    );
    let run = keys.map((k) => this.open.get(k)).find((r) => r !== undefined);
    if (!run) {
      run = { agent: d.agent, task: null, agentId: null, phase, at, success: null, usage: [] };
      this.runs.push(run);
    }
    if (d.reason && run.task === null) run.task = d.reason;
    if (d.agent_id) run.agentId = d.agent_id;
    const ended =
      d.status === 'completed' ||
      d.status === 'failed' ||
      (d.status === undefined && d.success !== undefined);
    if (ended) {
      run.success = d.success ?? d.status === 'completed';
      for (const k of keys) this.open.delete(k);
    } else for (const k of keys) this.open.set(k, run);
  }

  /** The runs, each with the counted facts of its `agent_id`. */
  result(counted: readonly UsageFact[]): DigestTaskRun[] {
    const byId = new Map<string, DigestTaskRun>();
    for (const run of this.runs) if (run.agentId) byId.set(run.agentId, run);
    for (const fact of counted) {
      const run = fact.agentId === undefined ? undefined : byId.get(fact.agentId);
      if (!run) continue;
      let row = run.usage.find((u) => u.model === fact.model);
      if (!row) {
        row = {
          model: fact.model,
          tokens: { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 },
        };
        run.usage.push(row);
      }
      for (const k of ['input', 'output', 'cacheCreation', 'cacheCreation1h', 'cacheRead'] as const)
        row.tokens[k] += fact.tokens[k];
    }
    return this.runs;
  }
}
