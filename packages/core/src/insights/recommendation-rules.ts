import { findModelPrice, type PriceTable } from '../pricing/prices.js';
import { cheaperModelRows } from './cheaper-model.js';
import type { RecurringError } from './recurring-errors.js';
import { median, percentileOf } from './robust-stats.js';
import type { SessionDigest } from './session-digest.js';

/** One thing to change, with the figures behind it and what is at stake. */
export interface Recommendation {
  kind:
    | 'agent_tool_failures'
    | 'error_after_edit'
    | 'slow_tool'
    | 'model_swap'
    | 'cache_unused'
    | 'context_limit';
  text: string;
  evidence: Record<string, number | string>;
  /** What is at stake: USD and/or ms over the data looked at. */
  impact: { usd?: number; ms?: number };
}

/** What the rules read. */
export interface RuleContext {
  digests: readonly SessionDigest[];
  recurring: readonly RecurringError[];
  prices: PriceTable;
  cheaperModel: string;
}

const pct = (rate: number) => `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
const secs = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
const usd = (value: number) => `$${value.toFixed(2)}`;
const round = (value: number, digits = 4) => Number(value.toFixed(digits));

interface ToolAgg {
  uses: number;
  failures: number;
  durations: number[];
}

function toolsBy(
  digests: readonly SessionDigest[],
  keyOf: (tool: string, agent: string) => string,
): Map<string, ToolAgg> {
  const out = new Map<string, ToolAgg>();
  for (const digest of digests)
    for (const row of digest.tools) {
      const key = keyOf(row.tool, row.agent);
      const agg = out.get(key) ?? { uses: 0, failures: 0, durations: [] };
      out.set(key, agg);
      agg.uses += row.uses;
      agg.failures += row.failures;
      for (const d of row.durations) agg.durations.push(d);
    }
  return out;
}

/** A sub-agent that fails a tool much more often than the other agents do. */
function agentToolFailures(ctx: RuleContext): Recommendation[] {
  const byPair = toolsBy(ctx.digests, (tool, agent) => `${tool}\u0000${agent}`);
  const out: Recommendation[] = [];
  for (const [key, mine] of byPair) {
    const [tool, agent] = key.split('\u0000') as [string, string];
    if (agent === 'main' || mine.uses < 20) continue;
    let uses = 0;
    let failures = 0;
    for (const [other, agg] of byPair)
      if (other.startsWith(`${tool}\u0000`) && other !== key) {
        uses += agg.uses;
        failures += agg.failures;
      }
    if (uses < 20) continue;
    const rate = mine.failures / mine.uses;
    const others = failures / uses;
    if (rate < 2 * others || rate - others < 0.1) continue;
    const excess = Math.round((rate - others) * mine.uses);
    const ms = excess * (median(mine.durations) || 0);
    out.push({
      kind: 'agent_tool_failures',
      text: `${agent} fails ${tool} ${pct(rate)} of the time (${mine.failures} of ${mine.uses} calls) against ${pct(others)} for the other agents: review how ${agent} calls ${tool} (its prompt, the commands it is allowed); at the others' rate it would have had ${excess} fewer failed calls.`,
      evidence: {
        agent,
        tool,
        uses: mine.uses,
        failures: mine.failures,
        failureRate: round(rate),
        othersFailureRate: round(others),
      },
      impact: { ms },
    });
  }
  return out;
}

/** An error that keeps coming back right after the same kind of edit. */
function errorAfterEdit(ctx: RuleContext): Recommendation[] {
  return ctx.recurring.flatMap((row): Recommendation[] => {
    const edit = row.afterEdit;
    if (!edit || edit.occurrences < 3 || edit.occurrences < 0.6 * row.occurrences) return [];
    const ttr = row.medianTimeToResolutionMs;
    const step = row.resolvingStep ? ` It was resolved most often by: ${row.resolvingStep.text}.` : '';
    return [
      {
        kind: 'error_after_edit',
        text: `${row.errorType} "${row.pattern.slice(0, 120)}" came back ${row.occurrences} times in ${row.sessions.length} sessions, ${edit.occurrences} of them right after a "${edit.kind}" edit${ttr === null ? '' : ` (median ${secs(ttr)} to resolve)`}: run the check that catches it after every such edit, or add the rule to the agents' instructions.${step}`,
        evidence: {
          fingerprint: row.fingerprint,
          occurrences: row.occurrences,
          sessions: row.sessions.length,
          afterEdit: edit.kind,
          afterEditOccurrences: edit.occurrences,
          medianTimeToResolutionMs: ttr ?? 0,
        },
        impact: { ms: (ttr ?? 0) * row.occurrences },
      },
    ];
  });
}

/** A tool that is both slow and called often. */
function slowTool(ctx: RuleContext): Recommendation[] {
  const byTool = toolsBy(ctx.digests, (tool) => tool);
  const total = [...byTool.values()].reduce((sum, agg) => sum + agg.uses, 0);
  const p50s = new Map(
    [...byTool]
      .filter(([, a]) => a.durations.length >= 10)
      .map(([tool, a]) => [tool, percentileOf(a.durations, 50)]),
  );
  if (p50s.size < 3) return [];
  const typical = median([...p50s.values()]);
  const out: Recommendation[] = [];
  for (const [tool, p50] of p50s) {
    const agg = byTool.get(tool)!;
    if (agg.uses < 50 || agg.uses < 0.05 * total || p50 < 3 * typical) continue;
    const p95 = percentileOf(agg.durations, 95);
    const ms = agg.uses * (p50 - typical);
    out.push({
      kind: 'slow_tool',
      text: `${tool} is slow and called often: ${agg.uses} calls (${pct(agg.uses / total)} of all), p50 ${secs(p50)}, p95 ${secs(p95)}, against a p50 of ${secs(typical)} for a typical tool — ${secs(agg.uses * p50)} in all: narrow what it runs on (fewer files, a test filter), cache or batch its calls.`,
      evidence: { tool, uses: agg.uses, p50Ms: p50, p95Ms: p95, typicalP50Ms: typical },
      impact: { ms },
    });
  }
  return out;
}

/** A sub-agent that always succeeds on an expensive model: what a cheaper one would have cost. */
function modelSwap(ctx: RuleContext): Recommendation[] {
  const runs = new Map<string, { successes: number; failures: number }>();
  for (const digest of ctx.digests)
    for (const row of digest.agents) {
      const agg = runs.get(row.agent) ?? { successes: 0, failures: 0 };
      runs.set(row.agent, agg);
      agg.successes += row.successes;
      agg.failures += row.failures;
    }
  return cheaperModelRows(ctx.digests, ctx.prices, ctx.cheaperModel).flatMap((row): Recommendation[] => {
    const agg = runs.get(row.agent);
    if (row.agent === 'main' || !agg || agg.successes < 10 || agg.failures > 0 || row.savingUsd < 0.05)
      return [];
    return [
      {
        kind: 'model_swap',
        text: `${row.agent} succeeded in all ${agg.successes} of its runs; its ${row.successfulRuns} runs on ${row.model} cost ${usd(row.costUsd)}, and the same tokens on ${row.alternative} would have cost ${usd(row.alternativeCostUsd)}: set its model to ${row.alternative} (in its agent definition) and watch its success rate.`,
        evidence: {
          agent: row.agent,
          model: row.model,
          runs: agg.successes,
          successRate: 1,
          costUsd: round(row.costUsd),
          cheaperModel: row.alternative,
          cheaperCostUsd: round(row.alternativeCostUsd),
        },
        impact: { usd: row.savingUsd },
      },
    ];
  });
}

/** Cache writes that are not read back. */
function cacheUnused(ctx: RuleContext): Recommendation[] {
  const byPair = new Map<string, { agent: string; model: string; written: number; read: number }>();
  for (const digest of ctx.digests)
    for (const row of digest.usage) {
      const key = `${row.agent}\u0000${row.model}`;
      const agg = byPair.get(key) ?? { agent: row.agent, model: row.model, written: 0, read: 0 };
      byPair.set(key, agg);
      agg.written += row.tokens.cacheCreation;
      agg.read += row.tokens.cacheRead;
    }
  const out: Recommendation[] = [];
  for (const { agent, model, written, read } of byPair.values()) {
    const found = findModelPrice(model, ctx.prices);
    if (!found || written < 100_000 || written < 2 * read) continue;
    const extra = ((written - read) * (found.price.cacheWrite5m - found.price.input)) / 1_000_000;
    out.push({
      kind: 'cache_unused',
      text: `${agent} on ${model} wrote ${written.toLocaleString('en-US')} tokens to the prompt cache but read only ${read.toLocaleString('en-US')} back (${(written / Math.max(1, read)).toFixed(1)}x): keep its prompt prefix stable (system prompt, tool list, first messages) so the cache is reused, or do not cache its one-off calls; the unused writes cost ${usd(extra)} more than plain input.`,
      evidence: { agent, model, cacheCreation: written, cacheRead: read },
      impact: { usd: extra },
    });
  }
  return out;
}

/** Sessions that ran into the context limit, and what filled it. */
function contextLimit(ctx: RuleContext): Recommendation[] {
  const hitSessions = ctx.digests.filter((d) => d.contextLimitHits.length > 0);
  if (hitSessions.length === 0) return [];
  const fillers = new Map<string, number>();
  let hits = 0;
  let resent = 0;
  for (const digest of hitSessions)
    for (const hit of digest.contextLimitHits) {
      hits++;
      const model = digest.usage.find((u) => u.agent === 'main')?.model ?? 'unknown';
      resent += (hit.tokens * (findModelPrice(model, ctx.prices)?.price.input ?? 0)) / 1_000_000;
      for (const { tool, calls } of hit.filledBy) fillers.set(tool, (fillers.get(tool) ?? 0) + calls);
    }
  const top = [...fillers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2);
  const filled =
    top.length === 0
      ? 'no tool calls were recorded before it; the conversation itself'
      : top.map(([tool, calls]) => `${tool} (${calls} calls)`).join(' and ');
  return [
    {
      kind: 'context_limit',
      text: `${hitSessions.length} session(s) hit the context limit ${hits} time(s); before it, ${filled} filled the context: read narrower ranges, send broad searches to a sub-agent, or hand off before 80% of the window.`,
      evidence: {
        sessions: hitSessions.length,
        hits,
        topFiller: top[0]?.[0] ?? '',
        topFillerCalls: top[0]?.[1] ?? 0,
      },
      impact: { usd: resent },
    },
  ];
}

/** The rules, each a small function of the same context. */
export const RECOMMENDATION_RULES: ReadonlyArray<(ctx: RuleContext) => Recommendation[]> = [
  agentToolFailures,
  errorAfterEdit,
  slowTool,
  modelSwap,
  cacheUnused,
  contextLimit,
];
