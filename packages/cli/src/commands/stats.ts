import {
  type AgentPerformance,
  type AnalyticsQuery,
  type CostAnalysis,
  type ErrorPatterns,
  groupByOwner,
  type ModelCost,
  OWNER_DIMENSIONS,
  type OwnerDimension,
  type OwnerGroups,
  type SessionSummary,
  type TeamActivity,
  type ToolEffectiveness,
} from '@sat/core/projections';
import { type CliStore, openStore } from '../analytics.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatCost, formatDuration, formatTokens, printJson, printTable } from '../output.js';
import type {
  statsAgentsCommand,
  statsCostCommand,
  statsErrorsCommand,
  statsSessionCommand,
  statsTeamCommand,
  statsToolsCommand,
} from '../registry.js';
import { resolveSession } from '../session-arg.js';
import { staleRangeNote } from '../stale-range.js';

/** The filters and formats every report takes (`--by` only on agents, tools, errors and cost). */
type StatsOptions = OptionsOf<typeof statsTeamCommand> & { by?: string };

/** A column: its header, its raw value (CSV) and how it reads in a table. */
interface StatColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  format?: (row: T) => string | number | undefined;
  align?: 'left' | 'right';
}

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function render<T>(
  ctx: CliContext,
  rows: readonly T[],
  columns: readonly StatColumn<T>[],
  csv: boolean,
): void {
  if (csv) {
    ctx.print(columns.map((column) => csvField(column.header)).join(','));
    for (const row of rows) ctx.print(columns.map((column) => csvField(column.value(row))).join(','));
    return;
  }
  printTable(
    ctx,
    rows,
    columns.map((column) => ({
      header: column.header,
      align: column.align,
      value: (row: T) => {
        if (column.format) return column.format(row);
        const value = column.value(row);
        return value === null || value === undefined
          ? ''
          : typeof value === 'boolean'
            ? String(value)
            : value;
      },
    })),
  );
}

const percent = (rate: number | null) => (rate === null ? '' : `${(rate * 100).toFixed(1)}%`);
const duration = (ms: number | null) => (ms === null ? '' : formatDuration(ms));
const costText = (usd: number | null, priced: number) =>
  usd === null ? `${formatCost(priced)}+` : formatCost(usd);

/** The COST_USD column of a row with a cost (null when a model has no price) and its priced part. */
function costColumn<T extends { cost: number | null; pricedCost: number }>(): StatColumn<T> {
  return {
    header: 'COST_USD',
    value: (r) => r.cost,
    format: (r) => costText(r.cost, r.pricedCost),
    align: 'right',
  };
}

/** The TOKENS column of a row with token counts. */
function tokensColumn<T extends { tokens: { total: number } }>(): StatColumn<T> {
  return {
    header: 'TOKENS',
    value: (r) => r.tokens.total,
    format: (r) => formatTokens(r.tokens.total),
    align: 'right',
  };
}

function parseDays(text: string | undefined): number | 'all' | undefined {
  if (text === undefined) return undefined;
  if (text === 'all') return 'all';
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError(`--days must be a whole number of days or 'all', not '${text}'`);
  return days;
}

function renderAgents(ctx: CliContext, result: AgentPerformance, csv: boolean): void {
  render(
    ctx,
    result.agents,
    [
      { header: 'AGENT', value: (a) => a.agent },
      { header: 'INVOCATIONS', value: (a) => a.invocations, align: 'right' },
      { header: 'COMPLETED', value: (a) => a.completed, align: 'right' },
      { header: 'SUCCESSES', value: (a) => a.successes, align: 'right' },
      { header: 'FAILURES', value: (a) => a.failures, align: 'right' },
      {
        header: 'SUCCESS_RATE',
        value: (a) => a.successRate,
        format: (a) => percent(a.successRate),
        align: 'right',
      },
      {
        header: 'P50_MS',
        value: (a) => a.durationMs.p50,
        format: (a) => duration(a.durationMs.p50),
        align: 'right',
      },
      {
        header: 'P95_MS',
        value: (a) => a.durationMs.p95,
        format: (a) => duration(a.durationMs.p95),
        align: 'right',
      },
      tokensColumn(),
      costColumn(),
    ],
    csv,
  );
}

function renderTools(ctx: CliContext, result: ToolEffectiveness, csv: boolean): void {
  render(
    ctx,
    result.tools,
    [
      { header: 'TOOL', value: (t) => t.tool },
      { header: 'USES', value: (t) => t.uses, align: 'right' },
      { header: 'SUCCESSES', value: (t) => t.successes, align: 'right' },
      { header: 'FAILURES', value: (t) => t.failures, align: 'right' },
      {
        header: 'SUCCESS_RATE',
        value: (t) => t.successRate,
        format: (t) => percent(t.successRate),
        align: 'right',
      },
      {
        header: 'AVG_MS',
        value: (t) => t.durationMs.avg,
        format: (t) => duration(t.durationMs.avg),
        align: 'right',
      },
      {
        header: 'P95_MS',
        value: (t) => t.durationMs.p95,
        format: (t) => duration(t.durationMs.p95),
        align: 'right',
      },
    ],
    csv,
  );
}

function renderErrors(ctx: CliContext, result: ErrorPatterns, csv: boolean): void {
  render(
    ctx,
    result.byFingerprint,
    [
      { header: 'ERROR_TYPE', value: (e) => e.errorType },
      { header: 'PATTERN', value: (e) => e.pattern },
      { header: 'ERRORS', value: (e) => e.errors, align: 'right' },
      { header: 'SESSIONS', value: (e) => e.sessions, align: 'right' },
      { header: 'RECURRING', value: (e) => e.recurring, format: (e) => (e.recurring ? 'yes' : 'no') },
      { header: 'FIXED', value: (e) => e.fixed, align: 'right' },
      {
        header: 'RESOLUTION_RATE',
        value: (e) => e.resolutionRate,
        format: (e) => percent(e.resolutionRate),
        align: 'right',
      },
      { header: 'LAST_SEEN', value: (e) => e.lastSeen },
    ],
    csv,
  );
}

interface CostRow {
  group: 'total' | 'phase' | 'agent' | 'model';
  name: string;
  responses: number;
  tokens: number;
  cost: number | null;
  pricedCost: number;
}

function renderCost(ctx: CliContext, result: CostAnalysis, csv: boolean): void {
  const model = (m: ModelCost): CostRow => ({
    group: 'model',
    name: m.model,
    responses: m.responses,
    tokens: m.tokens.total,
    cost: m.cost,
    pricedCost: m.cost ?? 0,
  });
  const rows: CostRow[] = [
    {
      group: 'total',
      name: '',
      responses: result.responses,
      tokens: result.tokens.total,
      cost: result.cost,
      pricedCost: result.pricedCost,
    },
    ...result.byPhase.map(
      (p): CostRow => ({
        group: 'phase',
        name: p.phase ?? '(none)',
        responses: p.responses,
        tokens: p.tokens.total,
        cost: p.cost,
        pricedCost: p.pricedCost,
      }),
    ),
    ...result.byAgent.map(
      (a): CostRow => ({
        group: 'agent',
        name: a.agent,
        responses: a.responses,
        tokens: a.tokens.total,
        cost: a.cost,
        pricedCost: a.pricedCost,
      }),
    ),
    ...result.byModel.map(model),
  ];
  render(
    ctx,
    rows,
    [
      { header: 'GROUP', value: (r) => r.group },
      { header: 'NAME', value: (r) => r.name },
      { header: 'RESPONSES', value: (r) => r.responses, align: 'right' },
      { header: 'TOKENS', value: (r) => r.tokens, format: (r) => formatTokens(r.tokens), align: 'right' },
      costColumn(),
    ],
    csv,
  );
  if (!csv && result.unpricedModels.length > 0)
    ctx.note(`sat: no price for model(s) ${result.unpricedModels.join(', ')}: costs marked + are partial`);
}

function renderSession(ctx: CliContext, result: SessionSummary, csv: boolean): void {
  const fields: Array<[string, string | number | null]> = [
    ['session', result.session],
    ['status', result.status],
    ['started', result.startedAt ?? result.firstEventAt],
    ['ended', result.endedAt],
    ['duration_ms', result.durationMs],
    ['phase', result.phase],
    ['model', result.model],
    ['events', result.events],
    ['responses', result.responses],
    ['tokens', result.tokens.total],
    ['cost_usd', result.cost],
    ['agents', result.agents.length],
    ['tool_calls', result.tools.reduce((sum, tool) => sum + tool.uses, 0)],
    ['errors', result.errors.reduce((sum, error) => sum + error.errors, 0)],
    ['files', result.files.length],
    ['decisions', result.decisions],
  ];
  render(
    ctx,
    fields,
    [
      { header: 'FIELD', value: ([field]) => field },
      {
        header: 'VALUE',
        value: ([, value]) => value,
        format: ([field, value]) =>
          value === null
            ? ''
            : field === 'cost_usd'
              ? costText(result.cost, result.pricedCost)
              : field === 'duration_ms'
                ? formatDuration(Number(value))
                : value,
      },
    ],
    csv,
  );
}

/** One report: the store query it runs and how its result reads. */
interface Report<T> {
  query(store: CliStore, query: AnalyticsQuery): Promise<T>;
  render(ctx: CliContext, result: T, csv: boolean): void;
}

/**
 * Brings the store up to date with the log and runs a report's query with the filters of
 * `sat stats` (`--days`, `--session` or the session argument, `--phase`, `--agent`); also the
 * answer of `GET /api/stats/<report>`. `stale` is the note on a range the store does not cover.
 * With `current`, the query runs on the store it gives (kept open and up to date by its owner,
 * as `sat serve` does) instead of one opened, ingested and closed here.
 *
 * @example
 * const { result } = await queryReport(ctx, (s, q) => s.costAnalysis(q), undefined, { days: '7' });
 */
export async function queryReport<T>(
  ctx: CliContext,
  run: (store: CliStore, query: AnalyticsQuery) => Promise<T>,
  session: string | undefined,
  options: Pick<StatsOptions, 'days' | 'session' | 'phase' | 'agent' | 'user' | 'machine'>,
  current?: () => Promise<CliStore>,
): Promise<{ result: T; stale?: string }> {
  const logsDir = ctx.config().paths.logs;
  const sessionArg = session ?? options.session;
  const query: AnalyticsQuery = {
    days: parseDays(options.days),
    session: sessionArg ? await resolveSession(logsDir, sessionArg) : undefined,
    phase: options.phase,
    agent: options.agent,
    user: options.user,
    machine: options.machine,
  };
  const result = current ? await run(await current(), query) : await runOnFreshStore(ctx, run, query);
  const stale = query.session === undefined ? await staleRangeNote(logsDir, query.days) : undefined;
  return { result, ...(stale !== undefined ? { stale } : {}) };
}

async function runOnFreshStore<T>(
  ctx: CliContext,
  run: (store: CliStore, query: AnalyticsQuery) => Promise<T>,
  query: AnalyticsQuery,
): Promise<T> {
  const store = await openStore(ctx);
  try {
    await store.ingestLog();
    return await run(store, query);
  } finally {
    await store.close();
  }
}

/** The store query of each report, by its `sat stats` name. */
export const REPORT_QUERIES = {
  agents: (s: CliStore, q: AnalyticsQuery) => s.agentPerformance(q),
  tools: (s: CliStore, q: AnalyticsQuery) => s.toolEffectiveness(q),
  errors: (s: CliStore, q: AnalyticsQuery) => s.errorPatterns(q),
  cost: (s: CliStore, q: AnalyticsQuery) => s.costAnalysis(q),
  session: (s: CliStore, q: AnalyticsQuery): Promise<SessionSummary | null> => s.sessionSummary(q),
  team: (s: CliStore, q: AnalyticsQuery) => s.team(q),
};

function ownerDimension(by: string): OwnerDimension {
  if (!(OWNER_DIMENSIONS as readonly string[]).includes(by))
    throw new UsageError(`--by must be 'user' or 'machine', not '${by}'`);
  return by as OwnerDimension;
}

/**
 * A report with `--by user|machine`: the report's query once per owner (see `groupByOwner`), as
 * `{ by, filters, groups: [{ owner, result }] }`.
 */
function byOwner<T>(report: Report<T>, by: OwnerDimension): Report<OwnerGroups<T>> {
  return {
    query: (store, query) => groupByOwner(store, by, query, (q) => report.query(store, q)),
    render: (ctx, grouped, csv) => {
      grouped.groups.forEach(({ owner, result }, i) => {
        if (csv) {
          const lines: string[] = [];
          report.render({ ...ctx, print: (line = '') => lines.push(line) }, result, true);
          const [header, ...rows] = lines;
          if (i === 0) ctx.print(`${by.toUpperCase()},${header ?? ''}`);
          for (const row of rows) ctx.print(`${csvField(owner)},${row}`);
          return;
        }
        if (i > 0) ctx.print();
        ctx.print(`${by} ${owner}`);
        report.render(ctx, result, false);
      });
      if (grouped.groups.length === 0 && !csv) ctx.note(`sat: no ${by} has work under these filters`);
    },
  };
}

/** Runs a report (see {@link queryReport}) and prints it (table, CSV or JSON). */
async function runReport<T>(
  ctx: CliContext,
  report: Report<T>,
  session: string | undefined,
  options: StatsOptions,
): Promise<number> {
  if (options.json && options.csv) throw new UsageError('give --json or --csv, not both');
  if (options.by !== undefined)
    return runReport(ctx, byOwner(report, ownerDimension(options.by)), session, {
      ...options,
      by: undefined,
    });
  const { result, stale } = await queryReport(ctx, report.query, session, options);
  if (stale !== undefined) ctx.note(`sat: ${stale}`);
  if (options.json) printJson(ctx, result);
  else if (stale === undefined || options.csv) report.render(ctx, result, options.csv === true);
  return 0;
}

/** `sat stats agents`: per agent type. */
export const agents: HandlerOf<typeof statsAgentsCommand> = (ctx, _args, options) =>
  runReport(ctx, { query: REPORT_QUERIES.agents, render: renderAgents }, undefined, options);

/** `sat stats tools`: per tool. */
export const tools: HandlerOf<typeof statsToolsCommand> = (ctx, _args, options) =>
  runReport(ctx, { query: REPORT_QUERIES.tools, render: renderTools }, undefined, options);

/** `sat stats errors`: per error fingerprint. */
export const errors: HandlerOf<typeof statsErrorsCommand> = (ctx, _args, options) =>
  runReport(ctx, { query: REPORT_QUERIES.errors, render: renderErrors }, undefined, options);

/** `sat stats cost`: tokens and cost in total, per phase, agent and model. */
export const cost: HandlerOf<typeof statsCostCommand> = (ctx, _args, options) =>
  runReport(ctx, { query: REPORT_QUERIES.cost, render: renderCost }, undefined, options);

/** `sat stats session [id]`: one session's figures (default: the latest). */
export const session: HandlerOf<typeof statsSessionCommand> = (ctx, [id], options) =>
  runReport<SessionSummary | null>(
    ctx,
    {
      query: REPORT_QUERIES.session,
      render: (c, result, csv) => {
        if (result === null)
          c.note('no session in the analytics store for these filters (import or log one first)');
        else renderSession(c, result, csv);
      },
    },
    id,
    options,
  );

function renderTeam(ctx: CliContext, result: TeamActivity, csv: boolean): void {
  render(
    ctx,
    result.rows,
    [
      { header: 'DAY', value: (r) => r.day },
      { header: 'USER', value: (r) => r.user },
      { header: 'MACHINE', value: (r) => r.machine },
      { header: 'SESSIONS', value: (r) => r.sessions, align: 'right' },
      tokensColumn(),
      costColumn(),
      { header: 'ERRORS', value: (r) => r.errors, align: 'right' },
      { header: 'TOOL_CALLS', value: (r) => r.toolCalls, align: 'right' },
    ],
    csv,
  );
}

/** `sat stats team`: sessions, tokens, cost and errors per user x machine x day. */
export const team: HandlerOf<typeof statsTeamCommand> = (ctx, _args, options) =>
  runReport(ctx, { query: REPORT_QUERIES.team, render: renderTeam }, undefined, options);
