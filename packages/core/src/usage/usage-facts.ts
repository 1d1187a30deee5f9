import type { AnySatEvent } from '../events/envelope.js';
import type { TokenCounts } from '../events/payloads.js';

/**
 * Token counts of some usage: the four counts of {@link TokenCounts} plus `cacheCreation1h`, the
 * part of `cacheCreation` written to the 1-hour cache (the rest, `cacheCreation - cacheCreation1h`,
 * was written for 5 minutes).
 */
export interface UsageTokenCounts extends TokenCounts {
  cacheCreation1h: number;
}

/**
 * Where a usage fact comes from:
 * - `transcript`: an agent's own transcript (exact);
 * - `task_result`: a parent's Task/Agent result, an estimate of a sub-agent whose own transcript is
 *   missing; counted only until a `transcript` fact of the same `agentId` arrives;
 * - `rollup`: a sum that already went through that rule (an analytics store's rows), which no
 *   longer tells estimates apart;
 * - `otel`: Claude Code's own `claude_code.api_request` record (OpenTelemetry), with its `cost_usd`:
 *   joined by `requestId` with the transcript's fact of the same request (never both counted).
 */
export type UsageSource = 'transcript' | 'task_result' | 'rollup' | 'otel';

/**
 * One thing known about a session's token usage, as the {@link UsageLedger} takes it: one API
 * response (with a `key`), or a sum of responses of one agent and model (from a session state's
 * buckets or an analytics store's rows).
 *
 * @example
 * const fact: UsageFact = {
 *   agent: 'main', model: 'claude-sonnet-4-5', source: 'transcript', responses: 1, key: 'msg_1\u0000req_1',
 *   tokens: { input: 3, output: 120, cacheCreation: 500, cacheCreation1h: 0, cacheRead: 9000 },
 * };
 */
export interface UsageFact {
  /** The agent the usage is of (`main`, or a sub-agent's name). */
  agent: string;
  /** The model id as recorded (`unknown` when the source named none). */
  model: string;
  source: UsageSource;
  /** The sub-agent's id: what joins an estimate to the sub-agent's own transcript. */
  agentId?: string;
  /**
   * The identity of one API response (`message_id` and `request_id`): facts with the same source and
   * key are one response, counted once with its largest figures. Without a key a fact is counted as is.
   */
  key?: string;
  tokens: UsageTokenCounts;
  /** API responses the fact stands for (1 for one response). */
  responses: number;
  /** The API request id (the transcript's `requestId`, OTel's `request_id`): what joins the two sources. */
  requestId?: string;
  /** Claude Code's own cost of the fact (USD, from OTel's `cost_usd`): used instead of the price table. */
  costUsd?: number;
}

/**
 * The usage fact an event carries: one per `api_response` event, undefined for other events.
 *
 * @example
 * for await (const event of readSessionEvents(logsDir, session)) {
 *   const fact = usageFactOf(event);
 *   if (fact) ledger.add(fact);
 * }
 */
export function usageFactOf(event: AnySatEvent): UsageFact | undefined {
  if (event.type !== 'api_response') return undefined;
  const d = event.data;
  const fact: UsageFact = {
    agent: event.agent,
    model: d.model,
    source: d.source,
    key: `${d.message_id}\u0000${d.request_id ?? ''}`,
    tokens: {
      input: d.tokens.input,
      output: d.tokens.output,
      cacheCreation: d.tokens.cacheCreation,
      cacheCreation1h: Math.min(d.cache_creation_1h ?? 0, d.tokens.cacheCreation),
      cacheRead: d.tokens.cacheRead,
    },
    responses: 1,
  };
  if (d.agent_id !== undefined) fact.agentId = d.agent_id;
  if (d.request_id) fact.requestId = d.request_id;
  if (d.cost_usd !== undefined) fact.costUsd = d.cost_usd;
  return fact;
}

/**
 * All-zero {@link UsageTokenCounts}, a fresh object.
 *
 * @example
 * const sum = zeroUsageTokenCounts();
 */
export function zeroUsageTokenCounts(): UsageTokenCounts {
  return { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 };
}

/**
 * Adds `add` into `into` (in place).
 *
 * @example
 * addUsageTokenCounts(total, fact.tokens);
 */
export function addUsageTokenCounts(into: UsageTokenCounts, add: UsageTokenCounts): void {
  into.input += add.input;
  into.output += add.output;
  into.cacheCreation += add.cacheCreation;
  into.cacheCreation1h += add.cacheCreation1h;
  into.cacheRead += add.cacheRead;
}
