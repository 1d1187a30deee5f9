import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import { type ReadOptions, readSessionEvents } from '../log/event-reader.js';
import { DEFAULT_PRICES, type PriceTable } from '../pricing/prices.js';
import { usageFactOf } from './usage-facts.js';
import { UsageLedger } from './usage-ledger.js';
import { type UsageReport, usageReport } from './usage-report.js';

/** How often a sub-agent was invoked in a session, and how that went. */
export interface AgentRuns {
  invocations: number;
  completed: number;
  failed: number;
  /** Invocations with no recorded end (still running, or interrupted). */
  unfinished: number;
  /** Sum of the recorded durations. */
  durationMs: number;
}

/**
 * A session's token usage and cost (the {@link UsageReport} of its `api_response` events), with its
 * tool uses, errors and sub-agent invocations: what `sat show` and `sat sessions` read.
 */
export interface SessionUsage extends UsageReport {
  session: string;
  /** Always known when replaying events (see {@link UsageReport.estimatedResponses}). */
  estimatedResponses: number;
  /** Always known when replaying events. */
  replacedEstimates: number;
  /** `tool_usage` events. */
  toolUses: number;
  /** `error` events. */
  errors: number;
  /** Sub-agents invoked (`agent_invocation` events), by name. */
  agents: Record<string, AgentRuns>;
}

/** Options of {@link sessionUsage}. */
export interface SessionUsageOptions {
  /** The price table (`config.prices`). Default the bundled one. */
  prices?: PriceTable;
  /** Told about unreadable lines of the log (they are skipped). */
  onIssue?: ReadOptions['onIssue'];
}

interface Invocation {
  agent: string;
  finished?: 'completed' | 'failed';
  durationMs?: number;
}

/**
 * Adds up a session's events into a {@link SessionUsage}: its `api_response` events go to a
 * {@link UsageLedger} (each response once, with its largest figures; a `task_result` estimate only
 * while the sub-agent's own transcript is missing), and its tool uses, errors and sub-agent
 * invocations are counted beside.
 *
 * @example
 * const usage = new UsageAccumulator();
 * for await (const event of readSessionEvents(logsDir, session)) usage.add(event);
 * usage.result(session).cost;
 */
export class UsageAccumulator {
  private readonly ledger = new UsageLedger();
  private readonly invocations = new Map<string, Invocation>();
  private toolUses = 0;
  private errors = 0;

  /** Takes one event into account (events of types other than those counted are ignored). */
  add(event: AnySatEvent): void {
    const fact = usageFactOf(event);
    if (fact) this.ledger.add(fact);
    else if (event.type === 'tool_usage') this.toolUses++;
    else if (event.type === 'error') this.errors++;
    else if (event.type === 'agent_invocation') this.invocation(event);
  }

  /** The totals so far, priced with `prices` (default the bundled table). */
  result(session: string, prices: PriceTable = DEFAULT_PRICES): SessionUsage {
    const agents: Record<string, AgentRuns> = {};
    for (const run of this.invocations.values()) {
      const agent = slot(agents, run.agent, () => ({
        invocations: 0,
        completed: 0,
        failed: 0,
        unfinished: 0,
        durationMs: 0,
      }));
      agent.invocations++;
      if (run.finished === 'completed') agent.completed++;
      else if (run.finished === 'failed') agent.failed++;
      else agent.unfinished++;
      agent.durationMs += run.durationMs ?? 0;
    }
    const report = usageReport(this.ledger.tally(), { prices });
    return {
      session,
      ...report,
      estimatedResponses: report.estimatedResponses ?? 0,
      replacedEstimates: report.replacedEstimates ?? 0,
      toolUses: this.toolUses,
      errors: this.errors,
      agents,
    };
  }

  private invocation(event: SatEvent<'agent_invocation'>): void {
    const d = event.data;
    const key = d.tool_use_id ?? event.id;
    const run = this.invocations.get(key) ?? { agent: d.agent };
    if (d.status === 'completed' || d.status === 'failed') {
      run.finished = d.status === 'failed' || d.success === false ? 'failed' : 'completed';
      if (d.duration_ms !== undefined) run.durationMs = d.duration_ms;
    } else if (d.status === undefined && d.success !== undefined) {
      run.finished = d.success ? 'completed' : 'failed';
      if (d.duration_ms !== undefined) run.durationMs = d.duration_ms;
    }
    this.invocations.set(key, run);
  }
}

/**
 * Streams a session's events and returns its token usage and cost: in total (sub-agents
 * included), per agent and per model, with the tool uses, errors and sub-agent invocations.
 * A model missing from the price table is listed by name in `unknownModels` and left out of
 * `cost`, never priced at zero.
 *
 * @example
 * const usage = await sessionUsage(config.paths.logs, session, { prices: config.prices });
 * console.log(usage.tokens.output, usage.cost.toFixed(2), usage.unknownModels);
 */
export async function sessionUsage(
  logsDir: string,
  session: string,
  options: SessionUsageOptions = {},
): Promise<SessionUsage> {
  const usage = new UsageAccumulator();
  const read: ReadOptions = { quarantine: false };
  if (options.onIssue) read.onIssue = options.onIssue;
  for await (const event of readSessionEvents(logsDir, session, read)) usage.add(event);
  return usage.result(session, options.prices);
}

/** `record[key]`, created with `make` when missing. */
export function slot<T>(record: Record<string, T>, key: string, make: () => T): T {
  let value = record[key];
  if (value === undefined) {
    value = make();
    record[key] = value;
  }
  return value;
}
