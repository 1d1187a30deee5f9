import type {
  AgentPerformance,
  AnalyticsQuery,
  CostAnalysis,
  ErrorPatterns,
  ModelCost,
  SessionSummary,
  ToolEffectiveness,
} from '@sat/core/projections';
import { openStore } from '../analytics.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatCost, formatDuration, formatTokens, printJson, printTable } from '../output.js';
import { resolveSession } from '../session-arg.js';

interface StatsOptions {
  days?: string;
  session?: string;
  phase?: string;
  agent?: string;
  json?: boolean;
  csv?: boolean;
}

const REPORTS = ['agents', 'tools', 'errors', 'session', 'cost'] as const;
type Report = (typeof REPORTS)[number];

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
const cost = (usd: number | null, priced: number) =>
  usd === null ? `${formatCost(priced)}+` : formatCost(usd);

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
      {
        header: 'TOKENS',
        value: (a) => a.tokens.total,
        format: (a) => formatTokens(a.tokens.total),
        align: 'right',
      },
      { header: 'COST_USD', value: (a) => a.cost, format: (a) => cost(a.cost, a.pricedCost), align: 'right' },
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
      { header: 'COST_USD', value: (r) => r.cost, format: (r) => cost(r.cost, r.pricedCost), align: 'right' },
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
              ? cost(result.cost, result.pricedCost)
              : field === 'duration_ms'
                ? formatDuration(Number(value))
                : value,
      },
    ],
    csv,
  );
}

/** `sat stats agents|tools|errors|session [id]|cost`: the analytics queries, as a table, CSV or JSON. */
export async function run(ctx: CliContext, args: string[], options: StatsOptions): Promise<number> {
  const [report, id, ...extra] = args;
  if (!report || !(REPORTS as readonly string[]).includes(report))
    throw new UsageError(`say which statistics: sat stats ${REPORTS.join('|')} (not '${report ?? ''}')`);
  if (extra.length > 0 || (id !== undefined && report !== 'session'))
    throw new UsageError(`unexpected argument '${extra[0] ?? id}' (only 'sat stats session <id>' takes one)`);
  if (options.json && options.csv) throw new UsageError('give --json or --csv, not both');
  const logsDir = ctx.config().paths.logs;
  const sessionArg = id ?? options.session;
  const query: AnalyticsQuery = {
    days: parseDays(options.days),
    session: sessionArg ? resolveSession(logsDir, sessionArg) : undefined,
    phase: options.phase,
    agent: options.agent,
  };
  const store = await openStore(ctx);
  let result: unknown;
  try {
    await store.ingestLog();
    switch (report as Report) {
      case 'agents':
        result = await store.agentPerformance(query);
        break;
      case 'tools':
        result = await store.toolEffectiveness(query);
        break;
      case 'errors':
        result = await store.errorPatterns(query);
        break;
      case 'session':
        result = await store.sessionSummary(query);
        break;
      case 'cost':
        result = await store.costAnalysis(query);
        break;
    }
  } finally {
    await store.close();
  }
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  const csv = options.csv === true;
  switch (report as Report) {
    case 'agents':
      renderAgents(ctx, result as AgentPerformance, csv);
      break;
    case 'tools':
      renderTools(ctx, result as ToolEffectiveness, csv);
      break;
    case 'errors':
      renderErrors(ctx, result as ErrorPatterns, csv);
      break;
    case 'session':
      if (result === null) {
        ctx.note('no session in the analytics store for these filters (import or log one first)');
        return 0;
      }
      renderSession(ctx, result as SessionSummary, csv);
      break;
    case 'cost':
      renderCost(ctx, result as CostAnalysis, csv);
      break;
  }
  return 0;
}
