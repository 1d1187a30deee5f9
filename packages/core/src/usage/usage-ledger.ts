import type { UsageFact } from './usage-facts.js';

/** The model the importer records when a response names none. */
const UNKNOWN_MODEL = 'unknown';

/** What a {@link UsageLedger} counts: the facts after deduplication and the sub-agent rule. */
export interface UsageTally {
  /** The facts counted, each response once. */
  counted: UsageFact[];
  /**
   * Responses counted from `task_result` estimates (their sub-agent's transcript is missing);
   * null when some facts were `rollup` sums, which no longer tell estimates apart.
   */
  estimatedResponses: number | null;
  /** Estimate responses left out because their sub-agent's own transcript arrived; null as above. */
  replacedEstimates: number | null;
}

/**
 * The one accumulator of a session's token usage: pure, fed with {@link UsageFact}s in any order,
 * from events (`usageFactOf`), a session state's buckets or an analytics store's rows. Facts with
 * the same source and `key` are one API response, counted once with its largest figures. A
 * `task_result` estimate of a sub-agent counts only while no `transcript` fact of its `agentId`
 * was seen (nor named by {@link UsageLedger.noteTranscript}): never both. Claude Code's own
 * `otel` records join the fact of their request id (see {@link joinClaudeCodeFacts}). Price the result with
 * `usageReport`.
 *
 * @example
 * const ledger = new UsageLedger();
 * for await (const event of readSessionEvents(logsDir, session)) {
 *   const fact = usageFactOf(event);
 *   if (fact) ledger.add(fact);
 * }
 * const report = usageReport(ledger.tally(), { prices: config.prices });
 */
export class UsageLedger {
  private readonly keyed = new Map<string, UsageFact>();
  private readonly unkeyed: UsageFact[] = [];
  private readonly transcriptAgents = new Set<string>();
  private rollups = false;

  /** Takes one fact into account. */
  add(fact: UsageFact): void {
    if (fact.source === 'rollup') this.rollups = true;
    if (fact.source === 'transcript' && fact.agentId !== undefined) this.transcriptAgents.add(fact.agentId);
    if (fact.key === undefined) {
      this.unkeyed.push(fact);
      return;
    }
    const key = `${fact.source}\u0000${fact.key}`;
    const seen = this.keyed.get(key);
    this.keyed.set(key, seen ? larger(seen, fact) : fact);
  }

  /** Records that the sub-agent `agentId` has its own transcript (its estimates no longer count). */
  noteTranscript(agentId: string): void {
    this.transcriptAgents.add(agentId);
  }

  /** What counts so far. */
  tally(): UsageTally {
    const counted: UsageFact[] = [];
    let estimated = 0;
    let replaced = 0;
    const claudeCode = new Map<string, UsageFact>();
    for (const fact of [...this.keyed.values(), ...this.unkeyed]) {
      if (fact.source === 'otel' && fact.requestId !== undefined) claudeCode.set(fact.requestId, fact);
      else if (fact.source !== 'task_result') counted.push(fact);
      else if (fact.agentId !== undefined && this.transcriptAgents.has(fact.agentId))
        replaced += fact.responses;
      else {
        estimated += fact.responses;
        counted.push(fact);
      }
    }
    return {
      counted: joinClaudeCodeFacts(counted, claudeCode),
      estimatedResponses: this.rollups ? null : estimated,
      replacedEstimates: this.rollups ? null : replaced,
    };
  }
}

/**
 * The counted facts with Claude Code's own records (`otel`, by request id) joined in: a fact of the
 * same request keeps its tokens and takes the record's `costUsd`; a record with no such fact (no
 * transcript read) is counted itself. Each request counts once whichever source arrived first.
 *
 * @example
 * joinClaudeCodeFacts([transcriptFact], new Map([['req_1', otelFact]])); // [{ ...transcriptFact, costUsd }]
 */
export function joinClaudeCodeFacts(
  counted: readonly UsageFact[],
  claudeCode: ReadonlyMap<string, UsageFact>,
): UsageFact[] {
  const unjoined = new Map(claudeCode);
  const out = counted.map((fact) => {
    const record = fact.requestId === undefined ? undefined : unjoined.get(fact.requestId);
    if (!record) return fact;
    unjoined.delete(fact.requestId!);
    return record.costUsd === undefined ? fact : { ...fact, costUsd: record.costUsd };
  });
  return [...out, ...unjoined.values()];
}

function larger(a: UsageFact, b: UsageFact): UsageFact {
  const out: UsageFact = {
    ...a,
    tokens: {
      input: Math.max(a.tokens.input, b.tokens.input),
      output: Math.max(a.tokens.output, b.tokens.output),
      cacheCreation: Math.max(a.tokens.cacheCreation, b.tokens.cacheCreation),
      cacheCreation1h: Math.max(a.tokens.cacheCreation1h, b.tokens.cacheCreation1h),
      cacheRead: Math.max(a.tokens.cacheRead, b.tokens.cacheRead),
    },
    responses: Math.max(a.responses, b.responses),
  };
  if (!a.model || a.model === UNKNOWN_MODEL) out.model = b.model;
  return out;
}
