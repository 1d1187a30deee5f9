import type { AnySatEvent } from '../events/envelope.js';
import type { TokenCounts } from '../events/payloads.js';
import { type ReadOptions, readSessionEvents } from '../log/event-reader.js';
import { DEFAULT_PRICES, PRICES_AS_OF, type PriceTable, priceUsage } from '../pricing/prices.js';

/** Usage of one model (overall, or within one agent). */
export interface ModelUsage {
  tokens: TokenCounts;
  /** The part of `tokens.cacheCreation` written to the 1-hour cache (priced at the 1-hour rate). */
  cacheCreation1h: number;
  apiResponses: number;
  /** USD; undefined when the model has no price (it is then listed in `unknownModels`, never priced at 0). */
  cost?: number;
}

/** Usage of one agent (`main` or a sub-agent), by model. */
export interface AgentUsage {
  tokens: TokenCounts;
  /** USD of the models that have a price. */
  cost: number;
  /** Models of this agent with no price (their tokens are in `tokens`, not in `cost`). */
  unknownModels: string[];
  apiResponses: number;
  models: Record<string, ModelUsage>;
}

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

/** A session's token usage and cost, from its `api_response` events. */
export interface SessionUsage {
  session: string;
  /** The session's tokens, its sub-agents included. */
  tokens: TokenCounts;
  /** USD of everything whose model has a price; see `unknownModels` for the rest. */
  cost: number;
  /** Models with no price in the table, by name: their tokens are counted but not priced. */
  unknownModels: string[];
  /** API responses counted (each `(message_id, request_id)` once). */
  apiResponses: number;
  /**
   * Responses known only from a parent's Task/Agent result (`source: 'task_result'`) because the
   * sub-agent's own transcript is missing; counted (an estimate: the sub-agent's last call only).
   */
  estimatedResponses: number;
  /** Such estimates left out because the sub-agent's own transcript was imported. */
  replacedEstimates: number;
  byAgent: Record<string, AgentUsage>;
  byModel: Record<string, ModelUsage>;
  /** `tool_usage` events. */
  toolUses: number;
  /** `error` events. */
  errors: number;
  /** Sub-agents invoked (`agent_invocation` events), by name. */
  agents: Record<string, AgentRuns>;
  /** The date of the bundled prices (overrides from the config may change some). */
  pricesAsOf: string;
}

/** Options of {@link sessionUsage}. */
export interface SessionUsageOptions {
  /** The price table (`config.prices`). Default the bundled one. */
  prices?: PriceTable;
  /** Told about unreadable lines of the log (they are skipped). */
  onIssue?: ReadOptions['onIssue'];
}

interface Response {
  agent: string;
  model: string;
  agentId?: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cacheCreation1h: number;
}

interface Invocation {
  agent: string;
  finished?: 'completed' | 'failed';
  durationMs?: number;
}

/**
 * Adds up a session's events into a {@link SessionUsage}. Each API response
 * (`message_id`, `request_id`) counts once, with its largest figures, however often it was
 * recorded. A `task_result` estimate counts only while no `transcript` response of the same
 * `agent_id` exists: a sub-agent is never counted both from its parent's result and from its
 * own transcript.
 *
 * @example
 * const usage = new UsageAccumulator();
 * for await (const event of readSessionEvents(logsDir, session)) usage.add(event);
 * usage.result(session).cost;
 */
export class UsageAccumulator {
  private readonly responses = new Map<string, Response>();
  private readonly estimates = new Map<string, Response>();
  private readonly transcriptAgents = new Set<string>();
  private readonly invocations = new Map<string, Invocation>();
  private toolUses = 0;
  private errors = 0;

  /** Takes one event into account (events of types other than those counted are ignored). */
  add(event: AnySatEvent): void {
    switch (event.type) {
      case 'api_response': {
        const d = event.data;
        const key = `${d.message_id}\u0000${d.request_id ?? ''}`;
        const next: Response = {
          agent: event.agent,
          model: d.model,
          input: d.tokens.input,
          output: d.tokens.output,
          cacheCreation: d.tokens.cacheCreation,
          cacheRead: d.tokens.cacheRead,
          cacheCreation1h: Math.min(d.cache_creation_1h ?? 0, d.tokens.cacheCreation),
        };
        if (d.agent_id !== undefined) next.agentId = d.agent_id;
        const into = d.source === 'task_result' ? this.estimates : this.responses;
        if (d.source === 'transcript' && d.agent_id !== undefined) this.transcriptAgents.add(d.agent_id);
        const seen = into.get(key);
        into.set(key, seen ? larger(seen, next) : next);
        break;
      }
      case 'tool_usage':
        this.toolUses++;
        break;
      case 'error':
        this.errors++;
        break;
      case 'agent_invocation': {
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
        break;
      }
      default:
        break;
    }
  }

  /** The totals so far, priced with `prices` (default the bundled table). */
  result(session: string, prices: PriceTable = DEFAULT_PRICES): SessionUsage {
    const usage: SessionUsage = {
      session,
      tokens: zero(),
      cost: 0,
      unknownModels: [],
      apiResponses: 0,
      estimatedResponses: 0,
      replacedEstimates: 0,
      byAgent: {},
      byModel: {},
      toolUses: this.toolUses,
      errors: this.errors,
      agents: {},
      pricesAsOf: PRICES_AS_OF,
    };
    const count = (r: Response) => {
      const agent = slot(usage.byAgent, r.agent, () => ({
        tokens: zero(),
        cost: 0,
        unknownModels: [],
        apiResponses: 0,
        models: {},
      }));
      addTo(slot(agent.models, r.model, emptyModel), r);
      addTo(slot(usage.byModel, r.model, emptyModel), r);
      agent.apiResponses++;
      usage.apiResponses++;
      addTokens(agent.tokens, r);
      addTokens(usage.tokens, r);
    };
    for (const r of this.responses.values()) count(r);
    for (const r of this.estimates.values()) {
      if (r.agentId !== undefined && this.transcriptAgents.has(r.agentId)) {
        usage.replacedEstimates++;
        continue;
      }
      usage.estimatedResponses++;
      count(r);
    }
    const unknown = new Set<string>();
    for (const agent of Object.values(usage.byAgent)) {
      for (const [model, m] of Object.entries(agent.models)) {
        const priced = price(model, m, prices);
        if (priced === undefined) {
          agent.unknownModels.push(model);
          unknown.add(model);
          continue;
        }
        m.cost = priced;
        agent.cost += priced;
        usage.cost += priced;
      }
      agent.unknownModels.sort();
    }
    for (const [model, m] of Object.entries(usage.byModel)) {
      const priced = price(model, m, prices);
      if (priced !== undefined) m.cost = priced;
    }
    usage.unknownModels = [...unknown].sort();
    for (const run of this.invocations.values()) {
      const agent = slot(usage.agents, run.agent, () => ({
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
    return usage;
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

function zero(): TokenCounts {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
}

function emptyModel(): ModelUsage {
  return { tokens: zero(), cacheCreation1h: 0, apiResponses: 0 };
}

function addTokens(into: TokenCounts, r: Response): void {
  into.input += r.input;
  into.output += r.output;
  into.cacheCreation += r.cacheCreation;
  into.cacheRead += r.cacheRead;
}

function addTo(model: ModelUsage, r: Response): void {
  addTokens(model.tokens, r);
  model.cacheCreation1h += r.cacheCreation1h;
  model.apiResponses++;
}

function price(model: string, m: ModelUsage, prices: PriceTable): number | undefined {
  return priceUsage(model, { ...m.tokens, cacheCreation1h: m.cacheCreation1h }, prices).cost;
}

function larger(a: Response, b: Response): Response {
  const out: Response = {
    ...a,
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    cacheCreation: Math.max(a.cacheCreation, b.cacheCreation),
    cacheRead: Math.max(a.cacheRead, b.cacheRead),
    cacheCreation1h: Math.max(a.cacheCreation1h, b.cacheCreation1h),
  };
  if (!a.model || a.model === 'unknown') out.model = b.model;
  return out;
}
