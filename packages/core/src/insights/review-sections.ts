/** The review's sections computed from the sessions' digests (pure; see `reviewPhase`). */
import type { PriceTable } from '../pricing/prices.js';
import { priceUsage } from '../pricing/prices.js';
import type { AgentPerformanceRow, ModelCost, ToolStats } from '../projections/analytics-results.js';
import { usageCost, usageTokens } from './digest-cost.js';
import type { ResolvedScope } from './review-scope.js';
import type { SessionDigest } from './session-digest.js';

const iso = (ms: number) => new Date(ms).toISOString();
const dayOfMs = (ms: number) => iso(ms).slice(0, 10);

/** What was done in a scope. */
export interface DoneFigures {
  sessions: number;
  events: number;
  toolCalls: number;
  /** Distinct files created, modified, deleted or renamed (reads excluded). */
  filesChanged: number;
  /** Sum over sessions of first to last event. */
  durationMs: number;
  /** ISO of the first and last event of the scope; null without sessions. */
  firstAt: string | null;
  lastAt: string | null;
  /** Sum over sessions of the gaps between consecutive events, each capped at 5 minutes. */
  activeMs: number;
  /** `tasks.todos + tasks.subAgentRuns`. */
  tasksCompleted: number;
  /** Todo items `completed` in each agent's last TodoWrite of a session; sub-agent runs that succeeded. */
  tasks: { todos: number; subAgentRuns: number };
  /** The 10 files changed most (operations other than reads), with the sessions they were changed in. */
  topFiles: Array<{ path: string; changes: number; sessions: number }>;
}

/** {@link DoneFigures} of the scope's sessions. */
export function doneFigures(sessions: readonly SessionDigest[]): DoneFigures {
  const files = new Map<string, { path: string; changes: number; sessions: number }>();
  const tasks = { todos: 0, subAgentRuns: 0 };
  const out = { events: 0, toolCalls: 0, durationMs: 0, activeMs: 0 };
  for (const d of sessions) {
    out.events += d.events;
    out.toolCalls += d.toolCalls;
    out.durationMs += d.endedAt - d.startedAt;
    out.activeMs += d.activeMs;
    tasks.todos += d.tasks.todos;
    tasks.subAgentRuns += d.tasks.subAgentRuns;
    for (const { path, changes } of d.fileChanges) {
      const file = files.get(path) ?? { path, changes: 0, sessions: 0 };
      files.set(path, file);
      file.changes += changes;
      file.sessions++;
    }
  }
  const topFiles = [...files.values()]
    .sort((a, b) => b.changes - a.changes || b.sessions - a.sessions || a.path.localeCompare(b.path))
    .slice(0, 10);
  return {
    sessions: sessions.length,
    ...out,
    filesChanged: files.size,
    firstAt: sessions.length > 0 ? iso(Math.min(...sessions.map((d) => d.startedAt))) : null,
    lastAt: sessions.length > 0 ? iso(Math.max(...sessions.map((d) => d.endedAt))) : null,
    tasksCompleted: tasks.todos + tasks.subAgentRuns,
    tasks,
    topFiles,
  };
}

/** The 5 agents slowest at p95, of those with at least 3 timed runs (`runs`: the timed ones). */
export function slowestAgents(agents: readonly AgentPerformanceRow[]) {
  return agents
    .filter((a) => a.durationMs.count >= 3 && a.durationMs.p95 !== null)
    .sort((a, b) => b.durationMs.p95! - a.durationMs.p95! || a.agent.localeCompare(b.agent))
    .slice(0, 5)
    .map((a) => ({
      agent: a.agent,
      runs: a.durationMs.count,
      p50Ms: a.durationMs.p50,
      p95Ms: a.durationMs.p95,
    }));
}

/** The 5 tools slowest at p95, of those with at least 5 timed calls (`uses`: every call). */
export function slowestTools(tools: ReadonlyArray<ToolStats & { tool: string }>) {
  return tools
    .filter((t) => t.durationMs.count >= 5 && t.durationMs.p95 !== null)
    .sort((a, b) => b.durationMs.p95! - a.durationMs.p95! || a.tool.localeCompare(b.tool))
    .slice(0, 5)
    .map((t) => ({ tool: t.tool, uses: t.uses, p50Ms: t.durationMs.p50, p95Ms: t.durationMs.p95 }));
}

/**
 * Pairs of tools whose failures came together (in one turn, or at most 10 events apart: see
 * `FailurePairs`) in at least 2 sessions: in how many sessions, and how many times in all.
 */
export function failingTogether(sessions: readonly SessionDigest[]) {
  const pairs = new Map<string, { tools: [string, string]; sessions: number; together: number }>();
  for (const d of sessions)
    for (const pair of d.failurePairs) {
      const key = pair.tools.join('\u0000');
      const row = pairs.get(key) ?? { tools: pair.tools, sessions: 0, together: 0 };
      pairs.set(key, row);
      row.sessions++;
      row.together += pair.together;
    }
  return [...pairs.values()]
    .filter((p) => p.sessions >= 2)
    .sort(
      (a, b) =>
        b.sessions - a.sessions || b.together - a.together || a.tools.join().localeCompare(b.tools.join()),
    )
    .slice(0, 10);
}

/** Tokens, USD and errors of one session within the scope (its usage and errors in the scope's phase or days). */
export interface SessionSeriesPoint {
  session: string;
  startedAt: string;
  tokens: number;
  costUsd: number;
  errors: number;
}

/** Per session, then per day, what the charts draw; the session figures sum to the store's cost totals. */
export function seriesOf(scope: ResolvedScope, prices: PriceTable) {
  const bySession: SessionSeriesPoint[] = [];
  const days = new Map<
    string,
    { day: string; sessions: number; tokens: number; costUsd: number; errors: number }
  >();
  const dayRow = (day: string) => {
    const row = days.get(day) ?? { day, sessions: 0, tokens: 0, costUsd: 0, errors: 0 };
    days.set(day, row);
    return row;
  };
  for (const day of scope.days) dayRow(day);
  for (const d of scope.sessions) {
    const point = { session: d.session, startedAt: iso(d.startedAt), tokens: 0, costUsd: 0, errors: 0 };
    dayRow(d.day).sessions++;
    for (const row of d.usage) {
      if (!scope.keeps(row.phase, row.day)) continue;
      const tokens = usageTokens(row);
      const cost = usageCost(row, prices);
      point.tokens += tokens;
      point.costUsd += cost;
      const day = dayRow(row.day);
      day.tokens += tokens;
      day.costUsd += cost;
    }
    for (const error of d.errors) {
      const day = dayOfMs(error.at);
      if (!scope.keeps(error.phase, day)) continue;
      point.errors++;
      dayRow(day).errors++;
    }
    bySession.push(point);
  }
  return { byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)), bySession };
}

/** Tokens and USD per sub-agent task (a Task/Agent call's description), most expensive first (at most 20). */
export function costByTask(scope: ResolvedScope, prices: PriceTable) {
  const tasks = new Map<string, { task: string; agent: string; costUsd: number; tokens: number }>();
  for (const d of scope.sessions)
    for (const run of d.taskRuns) {
      if (run.task === null || !scope.keeps(run.phase, dayOfMs(run.at))) continue;
      const key = `${run.task}\u0000${run.agent}`;
      const row = tasks.get(key) ?? { task: run.task, agent: run.agent, costUsd: 0, tokens: 0 };
      tasks.set(key, row);
      for (const u of run.usage) {
        row.costUsd += priceUsage(u.model, u.tokens, prices).cost ?? 0;
        row.tokens += u.tokens.input + u.tokens.output + u.tokens.cacheCreation + u.tokens.cacheRead;
      }
    }
  return [...tasks.values()]
    .sort((a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens || a.task.localeCompare(b.task))
    .slice(0, 20);
}

/** Cache writes and reads: tokens, USD (priced per model with `priceUsage`), and their share of the priced cost. */
export function cacheFigures(byModel: readonly ModelCost[], pricedCost: number, prices: PriceTable) {
  let writeUsd = 0;
  let readUsd = 0;
  let writeTokens = 0;
  let readTokens = 0;
  for (const m of byModel) {
    const t = m.tokens;
    writeTokens += t.cacheCreation;
    readTokens += t.cacheRead;
    const none = { input: 0, output: 0, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 };
    writeUsd +=
      priceUsage(
        m.model,
        { ...none, cacheCreation: t.cacheCreation, cacheCreation1h: t.cacheCreation1h },
        prices,
      ).cost ?? 0;
    readUsd += priceUsage(m.model, { ...none, cacheRead: t.cacheRead }, prices).cost ?? 0;
  }
  const share = (usd: number) => (pricedCost > 0 ? usd / pricedCost : 0);
  return {
    writeTokens,
    readTokens,
    writeUsd,
    readUsd,
    writeShare: share(writeUsd),
    readShare: share(readUsd),
  };
}
