/**
 * The five analytics queries, written once for every store. A store implements the small
 * {@link AnalyticsReader} (aggregate a source with filters, read a session, its files and
 * fingerprints); these functions choose the source (a rollup when one has every dimension
 * needed), and turn the aggregates into results, pricing usage with the price table given.
 */
import type { TokenCounts } from '../events/payloads.js';
import type { PriceTable } from '../pricing/prices.js';
import type { UsageFact } from '../usage/usage-facts.js';
import { UsageLedger } from '../usage/usage-ledger.js';
import { type ModelUsage, type UsageReport, usageReport } from '../usage/usage-report.js';
import { type AnalyticsFilters, type ResolvedFilters, resolveFilters } from './analytics-filters.js';
import type {
  AgentPerformance,
  AgentPerformanceRow,
  CostAnalysis,
  CostFigures,
  CostGroup,
  DurationFigures,
  ErrorPatternRow,
  ErrorPatterns,
  ErrorStats,
  FileSummary,
  ModelCost,
  SessionSummary,
  TokenFigures,
  ToolEffectiveness,
  ToolStats,
} from './analytics-results.js';
import { histogramPercentile } from './duration-histogram.js';
import { NO_PHASE } from './projection-names.js';
import type { FileOperationRow, FingerprintRow, SessionRow } from './projection-rows.js';
import {
  type AggregateSource,
  chooseSource,
  type Dimension,
  type DimensionValue,
  type DurationMeasures,
  type ErrorMeasures,
  emptyMeasures,
  type FamilyMeasures,
  type InvocationMeasures,
  type MeasureFamily,
  mergeMeasures,
  type ToolMeasures,
  type UsageMeasures,
} from './rollups.js';

/** Filters as a store applies them to a source. */
export interface AggregateFilter {
  /** Keep days >= this (days since 1970-01-01, UTC); null: all. */
  fromDay: number | null;
  /** Keep days <= this; null: no end. */
  toDay: number | null;
  session: string | null;
  phase: string | null;
  agent: string | null;
  user: string | null;
  machine: string | null;
}

/** One aggregation a store runs. */
export interface AggregateRequest {
  source: AggregateSource;
  filter: AggregateFilter;
  /** Dimensions to group by (empty: one total row, or none when nothing matches). */
  groupBy: readonly Dimension[];
}

/** One group of an aggregation. */
export interface AggregateRow<F extends MeasureFamily = MeasureFamily> {
  dims: Partial<Record<Dimension, DimensionValue>>;
  measures: FamilyMeasures[F];
}

/**
 * What a store implements so that the shared queries can run on it: aggregation of a source
 * (rollup or projection rows), and three row reads.
 */
export interface AnalyticsReader {
  /** The measures of `family` grouped by the request's dimensions, over the rows its filters keep. */
  aggregate<F extends MeasureFamily>(family: F, request: AggregateRequest): Promise<AggregateRow<F>[]>;
  /** A session's row; `null` asks for the session with the latest event. */
  sessionRow(session: string | null): Promise<SessionRow | undefined>;
  /** A session's file operations (phase / agent filters applied), in `seq` order. */
  fileOperations(session: string, filter: AggregateFilter): Promise<FileOperationRow[]>;
  /** The stored rows of these error fingerprints (first and last seen, counts). */
  fingerprints(fingerprints: readonly string[]): Promise<FingerprintRow[]>;
  /**
   * Sessions per owner and day of their first event (the session row's owner), with the day,
   * session, user and machine filters applied (phase and agent do not apply to sessions).
   */
  sessionStarts(filter: AggregateFilter): Promise<SessionStartCount[]>;
}

/** Sessions one owner started on one day, from {@link AnalyticsReader.sessionStarts}. */
export interface SessionStartCount {
  user: string;
  machine: string;
  /** Days since 1970-01-01 (UTC) of the session's first event. */
  day: number;
  sessions: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The filter a store applies, from resolved filters. */
export function aggregateFilter(f: ResolvedFilters): AggregateFilter {
  return {
    fromDay: f.fromDay,
    toDay: f.toDay,
    session: f.session,
    phase: f.phase,
    agent: f.agent,
    user: f.user,
    machine: f.machine,
  };
}

/** Aggregates `family` on the smallest source that has every dimension the filters and `groupBy` need. */
export function run<F extends MeasureFamily>(
  reader: AnalyticsReader,
  family: F,
  f: ResolvedFilters,
  groupBy: Dimension[],
): Promise<AggregateRow<F>[]> {
  const needed: Dimension[] = [...groupBy];
  if (f.fromDay !== null || f.toDay !== null) needed.push('day');
  if (f.session !== null) needed.push('session');
  if (f.phase !== null) needed.push('phase');
  if (f.agent !== null) needed.push('agent');
  if (f.user !== null) needed.push('user');
  if (f.machine !== null) needed.push('machine');
  return reader.aggregate(family, {
    source: chooseSource(family, needed),
    filter: aggregateFilter(f),
    groupBy,
  });
}

function durations(m: DurationMeasures): DurationFigures {
  if (m.dur_count <= 0) return { count: 0, avg: null, p50: null, p95: null, min: null, max: null };
  const p50 = histogramPercentile(m.dur_hist, 50, m.dur_min, m.dur_max);
  const p95 = histogramPercentile(m.dur_hist, 95, m.dur_min, m.dur_max);
  return {
    count: m.dur_count,
    avg: round(m.dur_sum / m.dur_count),
    p50: p50 === null ? null : round(p50),
    p95: p95 === null ? null : round(p95),
    min: m.dur_min,
    max: m.dur_max,
  };
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? round(part / whole, 6) : null;
}

/**
 * An aggregate usage row as usage facts (sums that already went through the sub-agent rule): the
 * part priced at query time, and the part whose cost Claude Code reported (`cc_`), with that cost.
 */
function rollupFacts(agent: string, model: string, m: UsageMeasures): UsageFact[] {
  const cc = m.cc_responses ?? 0;
  const fact = (responses: number, tokens: number[]): UsageFact => ({
    agent,
    model,
    source: 'rollup',
    tokens: {
      input: tokens[0]!,
      output: tokens[1]!,
      cacheCreation: tokens[2]!,
      cacheCreation1h: tokens[3]!,
      cacheRead: tokens[4]!,
    },
    responses,
  });
  const all = [m.input, m.output, m.cache_creation, m.cache_creation_1h, m.cache_read];
  if (cc <= 0) return [fact(m.responses, all)];
  const known = [m.cc_input, m.cc_output, m.cc_cache_creation, m.cc_cache_creation_1h, m.cc_cache_read];
  const facts: UsageFact[] = [{ ...fact(cc, known), costUsd: m.cc_cost }];
  if (m.responses > cc)
    facts.push(
      fact(
        m.responses - cc,
        all.map((value, i) => value - known[i]!),
      ),
    );
  return facts;
}

/**
 * The session usage model of aggregate usage rows (grouped by agent and model, or by model with
 * `agent` empty); rows left empty by the sub-agent rule are dropped.
 */
function rollupUsage(
  rows: Array<{ agent: string; model: string; m: UsageMeasures }>,
  prices: PriceTable,
): UsageReport {
  const ledger = new UsageLedger();
  for (const { agent, model, m } of rows)
    if (m.responses > 0) for (const fact of rollupFacts(agent, model, m)) ledger.add(fact);
  return usageReport(ledger.tally(), { prices });
}

function tokenFigures(t: TokenCounts, cacheCreation1h: number): TokenFigures {
  return {
    input: t.input,
    output: t.output,
    cacheCreation: t.cacheCreation,
    cacheCreation1h,
    cacheRead: t.cacheRead,
    total: t.input + t.output + t.cacheCreation + t.cacheRead,
  };
}

/** A usage model's models as the analytics results list them: in name order, costs rounded. */
function costGroup(models: Record<string, ModelUsage>): CostGroup & { models: ModelCost[] } {
  const out: ModelCost[] = [];
  const tokens = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  let cacheCreation1h = 0;
  let responses = 0;
  let pricedCost = 0;
  const unpriced: string[] = [];
  for (const [model, m] of Object.entries(models)) {
    const cost = m.cost === undefined ? null : round(m.cost, 9);
    if (cost === null) unpriced.push(model);
    else pricedCost += cost;
    tokens.input += m.tokens.input;
    tokens.output += m.tokens.output;
    tokens.cacheCreation += m.tokens.cacheCreation;
    tokens.cacheRead += m.tokens.cacheRead;
    cacheCreation1h += m.cacheCreation1h;
    responses += m.apiResponses;
    out.push({
      model,
      priceKey: m.priceKey ?? null,
      known: m.cost !== undefined,
      cost,
      responses: m.apiResponses,
      tokens: tokenFigures(m.tokens, m.cacheCreation1h),
    });
  }
  pricedCost = round(pricedCost, 9);
  return {
    cost: unpriced.length > 0 ? null : pricedCost,
    pricedCost,
    unpricedModels: unpriced,
    responses,
    tokens: tokenFigures(tokens, cacheCreation1h),
    models: out,
  };
}

/** Prices usage per model; models in name order; groups left empty by the sub-agent rule dropped. */
export function priceModels(
  rows: Array<{ model: string; m: UsageMeasures }>,
  prices: PriceTable,
): CostGroup & { models: ModelCost[] } {
  return costGroup(
    rollupUsage(
      rows.map((row) => ({ ...row, agent: '' })),
      prices,
    ).byModel,
  );
}

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function mergeRows<F extends MeasureFamily>(family: F, rows: AggregateRow<F>[]): FamilyMeasures[F] {
  const into = emptyMeasures(family);
  for (const row of rows) mergeMeasures(family, into, row.measures);
  return into;
}

function costOrder(
  a: CostFigures & { tokens: TokenFigures },
  b: CostFigures & { tokens: TokenFigures },
): number {
  return b.pricedCost - a.pricedCost || b.tokens.total - a.tokens.total;
}

/** Usage rows grouped by agent and model, as the rows the usage model takes. */
function agentModelRows(usage: AggregateRow<'usage'>[]) {
  return usage.map((row) => ({
    agent: String(row.dims.agent),
    model: String(row.dims.model),
    m: row.measures,
  }));
}

function agentRows(invocations: AggregateRow<'invocations'>[], report: UsageReport): AgentPerformanceRow[] {
  const inv = new Map<string, InvocationMeasures>();
  for (const row of invocations) inv.set(String(row.dims.agent), row.measures);
  const agents = new Set([...inv.keys(), ...Object.keys(report.byAgent)]);
  const rows: AgentPerformanceRow[] = [];
  for (const agent of agents) {
    const m = inv.get(agent) ?? emptyMeasures('invocations');
    const priced = costGroup(report.byAgent[agent]?.models ?? {});
    if (m.invocations <= 0 && m.completed <= 0 && priced.responses <= 0) continue;
    rows.push({
      agent,
      invocations: m.invocations,
      completed: m.completed,
      successes: m.successes,
      failures: m.known_success - m.successes,
      successRate: rate(m.successes, m.known_success),
      durationMs: durations(m),
      responses: priced.responses,
      tokens: priced.tokens,
      cost: priced.cost,
      pricedCost: priced.pricedCost,
      unpricedModels: priced.unpricedModels,
      models: priced.models,
    });
  }
  return rows.sort(
    (a, b) => b.invocations - a.invocations || b.tokens.total - a.tokens.total || byName(a.agent, b.agent),
  );
}

/**
 * Agent performance: per agent type, invocations, success rate, duration avg / p50 / p95, tokens
 * (api_response usage of that agent, after the sub-agent token rule) and cost.
 *
 * @example
 * const { agents } = await queryAgentPerformance(reader, { days: 7 }, DEFAULT_PRICES);
 */
export async function queryAgentPerformance(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
  prices: PriceTable,
): Promise<AgentPerformance> {
  const filters = resolveFilters(query);
  const [invocations, usage] = await Promise.all([
    run(reader, 'invocations', filters, ['agent']),
    run(reader, 'usage', filters, ['agent', 'model']),
  ]);
  return { filters, agents: agentRows(invocations, rollupUsage(agentModelRows(usage), prices)) };
}

function toolStats(m: ToolMeasures): ToolStats {
  return {
    uses: m.uses,
    successes: m.successes,
    failures: m.uses - m.successes,
    successRate: rate(m.successes, m.uses),
    durationMs: durations(m),
  };
}

const byUses = (a: ToolStats, b: ToolStats) => b.uses - a.uses;

/**
 * Tool effectiveness: uses, success rate and durations per tool, per agent, and per
 * (tool, agent).
 *
 * @example
 * const { tools } = await queryToolEffectiveness(reader, { agent: 'main' });
 */
export async function queryToolEffectiveness(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
): Promise<ToolEffectiveness> {
  const filters = resolveFilters(query);
  const rows = await run(reader, 'tools', filters, ['tool', 'agent']);
  const tools = [...groupBy(rows, (row) => String(row.dims.tool))].map(([tool, group]) => ({
    tool,
    ...toolStats(mergeRows('tools', group)),
  }));
  const agents = [...groupBy(rows, (row) => String(row.dims.agent))].map(([agent, group]) => ({
    agent,
    ...toolStats(mergeRows('tools', group)),
  }));
  const toolsByAgent = rows.map((row) => ({
    tool: String(row.dims.tool),
    agent: String(row.dims.agent),
    ...toolStats(row.measures),
  }));
  return {
    filters,
    tools: tools.filter((t) => t.uses > 0).sort((a, b) => byUses(a, b) || byName(a.tool, b.tool)),
    agents: agents.filter((t) => t.uses > 0).sort((a, b) => byUses(a, b) || byName(a.agent, b.agent)),
    toolsByAgent: toolsByAgent
      .filter((t) => t.uses > 0)
      .sort((a, b) => byUses(a, b) || byName(a.tool, b.tool) || byName(a.agent, b.agent)),
  };
}

function errorStats(m: ErrorMeasures): ErrorStats {
  return {
    errors: m.errors,
    sessions: m.sessions.size,
    recurring: m.sessions.size > 1,
    fixAttempted: m.fix_attempted,
    fixed: m.fixed,
    resolutionRate: rate(m.fixed, m.errors),
    fixSuccessRate: rate(m.fixed, m.fix_attempted),
    firstSeen: m.first_at === null ? null : new Date(m.first_at).toISOString(),
    lastSeen: m.last_at === null ? null : new Date(m.last_at).toISOString(),
  };
}

const byErrors = (a: ErrorStats, b: ErrorStats) => b.errors - a.errors || b.sessions - a.sessions;

async function fingerprintRows(
  reader: AnalyticsReader,
  filters: ResolvedFilters,
): Promise<{ rows: AggregateRow<'errors'>[]; info: Map<string, FingerprintRow> }> {
  const rows = (await run(reader, 'errors', filters, ['fingerprint'])).filter(
    (row) => row.measures.errors > 0,
  );
  const info = new Map<string, FingerprintRow>();
  if (rows.length > 0)
    for (const fp of await reader.fingerprints(rows.map((row) => String(row.dims.fingerprint))))
      info.set(fp.fingerprint, fp);
  return { rows, info };
}

function patternRows(rows: AggregateRow<'errors'>[], info: Map<string, FingerprintRow>): ErrorPatternRow[] {
  return rows
    .map((row) => {
      const fingerprint = String(row.dims.fingerprint);
      const fp = info.get(fingerprint);
      return {
        fingerprint,
        errorType: fp?.errorType ?? 'unknown',
        pattern: fp?.pattern ?? '',
        sample: fp?.sample ?? null,
        ...errorStats(row.measures),
      };
    })
    .sort((a, b) => byErrors(a, b) || byName(a.fingerprint, b.fingerprint));
}

/**
 * Error patterns: frequency by type and by fingerprint (the same error across sessions),
 * recurrence (distinct sessions), and resolution rate.
 *
 * @example
 * const { byFingerprint } = await queryErrorPatterns(reader, { days: 30 });
 */
export async function queryErrorPatterns(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
): Promise<ErrorPatterns> {
  const filters = resolveFilters(query);
  const { rows, info } = await fingerprintRows(reader, filters);
  const byFingerprint = patternRows(rows, info);
  const byType = [...groupBy(rows, (row) => info.get(String(row.dims.fingerprint))?.errorType ?? 'unknown')]
    .map(([errorType, group]) => ({
      errorType,
      fingerprints: group.length,
      ...errorStats(mergeRows('errors', group)),
    }))
    .sort((a, b) => byErrors(a, b) || byName(a.errorType, b.errorType));
  return { filters, totals: errorStats(mergeRows('errors', rows)), byType, byFingerprint };
}

function fileSummaries(operations: FileOperationRow[]): FileSummary[] {
  const files = new Map<string, FileSummary>();
  for (const op of operations) {
    let file = files.get(op.path);
    if (!file) {
      file = {
        path: op.path,
        operations: 0,
        byOperation: {},
        lastOperation: op.operation,
        lastAt: op.ts,
        gitHash: null,
        agents: [],
      };
      files.set(op.path, file);
    }
    file.operations++;
    file.byOperation[op.operation] = (file.byOperation[op.operation] ?? 0) + 1;
    if (op.ts >= file.lastAt) {
      file.lastAt = op.ts;
      file.lastOperation = op.operation;
    }
    if (op.gitHash) file.gitHash = op.gitHash;
    if (!file.agents.includes(op.agent)) file.agents.push(op.agent);
  }
  for (const file of files.values()) file.agents.sort(byName);
  return [...files.values()].sort((a, b) => byName(b.lastAt, a.lastAt) || byName(a.path, b.path));
}

/**
 * One session's summary (`query.session`, default: the session with the latest event): its
 * figures, phases, tokens and cost, agents, tools, errors and files. The phase and agent filters
 * narrow the lists; `days` applies only when given. Null when the store has no such session.
 *
 * @example
 * const summary = await querySessionSummary(reader, { session: 'abc' }, DEFAULT_PRICES);
 */
export async function querySessionSummary(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
  prices: PriceTable,
): Promise<SessionSummary | null> {
  resolveFilters(query);
  const row = await reader.sessionRow(query.session ?? null);
  if (!row) return null;
  const filters = resolveFilters({ ...query, session: row.session });
  const [invocations, usage, tools, errors, files] = await Promise.all([
    run(reader, 'invocations', filters, ['agent']),
    run(reader, 'usage', filters, ['agent', 'model']),
    run(reader, 'tools', filters, ['tool']),
    fingerprintRows(reader, filters),
    reader.fileOperations(row.session, aggregateFilter(filters)),
  ]);
  const report = rollupUsage(agentModelRows(usage), prices);
  const priced = costGroup(report.byModel);
  const first = Date.parse(row.firstEventAt);
  const last = Date.parse(row.lastEventAt);
  return {
    filters,
    session: row.session,
    status: row.endedAt ? 'ended' : 'active',
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    firstEventAt: row.firstEventAt,
    lastEventAt: row.lastEventAt,
    durationMs: Math.max(0, last - first),
    phase: row.phase === NO_PHASE ? null : row.phase,
    phases: row.phases,
    client: row.client,
    model: row.model,
    cwd: row.cwd,
    gitBranch: row.gitBranch,
    events: row.events,
    eventCounts: Object.fromEntries(Object.entries(row.eventCounts).sort(([a], [b]) => byName(a, b))),
    decisions: row.eventCounts.decision ?? 0,
    validations: { total: row.eventCounts.validation ?? 0, failed: row.validationsFailed },
    responses: priced.responses,
    tokens: priced.tokens,
    cost: priced.cost,
    pricedCost: priced.pricedCost,
    unpricedModels: priced.unpricedModels,
    unpricedTokens: report.unpricedTokens,
    models: priced.models,
    agents: agentRows(invocations, report),
    tools: tools
      .map((t) => ({ tool: String(t.dims.tool), ...toolStats(t.measures) }))
      .filter((t) => t.uses > 0)
      .sort((a, b) => byUses(a, b) || byName(a.tool, b.tool)),
    errors: patternRows(errors.rows, errors.info),
    files: fileSummaries(files),
  };
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Cost analysis: tokens and cost in total, per phase, per agent and per model, priced with
 * `prices`. Unknown models are named (`unpricedModels`) and make `cost` null, never zero.
 *
 * @example
 * const { byPhase } = await queryCostAnalysis(reader, { days: 'all' }, DEFAULT_PRICES);
 */
export async function queryCostAnalysis(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
  prices: PriceTable,
): Promise<CostAnalysis> {
  const filters = resolveFilters(query);
  const rows = (await run(reader, 'usage', filters, ['phase', 'agent', 'model'])).map((row) => ({
    phase: String(row.dims.phase),
    agent: String(row.dims.agent),
    model: String(row.dims.model),
    m: row.measures,
  }));
  const total = priceModels(rows, prices);
  const byPhase = [...groupBy(rows, (r) => r.phase)]
    .map(([phase, group]) => ({ phase: phase === NO_PHASE ? null : phase, ...priceModels(group, prices) }))
    .filter((g) => g.responses > 0)
    .sort((a, b) => (a.phase === null ? -1 : b.phase === null ? 1 : naturalOrder.compare(a.phase, b.phase)));
  const byAgent = [...groupBy(rows, (r) => r.agent)]
    .map(([agent, group]) => ({ agent, ...priceModels(group, prices) }))
    .filter((g) => g.responses > 0)
    .sort((a, b) => costOrder(a, b) || byName(a.agent, b.agent));
  const byModel = [...total.models].sort(
    (a, b) => (b.cost ?? 0) - (a.cost ?? 0) || b.tokens.total - a.tokens.total || byName(a.model, b.model),
  );
  const { models: _models, ...figures } = total;
  return { filters, ...figures, byPhase, byAgent, byModel };
}
