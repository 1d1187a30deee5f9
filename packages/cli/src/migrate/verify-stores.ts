/**
 * The checks `sat migrate` runs before it switches stores: what each store holds per projection,
 * a sample of sessions compared field by field, and every `sat stats` report's JSON for the
 * default filters and a few others. The reports come from `REPORT_QUERIES` (the one list `sat
 * stats` runs), so a new report is checked as soon as it exists.
 */
import type { AnalyticsQuery } from '@sat/core/projections';
import type { CliStore } from '../analytics.js';
import { REPORT_QUERIES } from '../commands/stats.js';
import { type FieldDifference, jsonDifferences } from './json-diff.js';

/** One difference between the two stores. */
export interface StoreDifference extends FieldDifference {
  /** `count`, `row` (a sampled session) or `query`. */
  check: 'count' | 'row' | 'query';
  /** What was compared: `tool uses`, `session 01ab...`, `sat stats cost --days 7`. */
  what: string;
}

/** What the verification compared and what differed. */
export interface StoreVerification {
  /** Each count, as both stores hold it. */
  counts: Array<{ what: string; source: number; target: number }>;
  /** Sessions compared field by field. */
  sampledSessions: number;
  /** Query answers compared. */
  queries: number;
  /** Empty when the stores agree. */
  differences: StoreDifference[];
}

/** Options of {@link verifyStores}. */
export interface VerifyOptions {
  /** The sessions of the log (oldest first). */
  sessions: readonly string[];
  /** "Today" for every query of both stores. */
  now: number;
  /** Sessions compared field by field. Default 25, spread over the log. */
  sample?: number;
  /**
   * Compare only this machine's applied events and sessions (a MongoDB database shared with other
   * machines answers every query for all of them). Default false.
   */
  machineCountsOnly?: boolean;
}

/** The counts a shared database still holds per machine. */
const MACHINE_COUNTS = new Set(['applied events', 'sessions with a checkpoint']);

type ReportName = keyof typeof REPORT_QUERIES;

/**
 * The `sat stats` command line of a query, to name it in a message.
 *
 * @example
 * describeQuery('cost', { days: 7 }) // 'sat stats cost --days 7'
 */
export function describeQuery(report: string, query: AnalyticsQuery): string {
  const flags = [
    query.days !== undefined ? `--days ${query.days}` : '',
    query.session !== undefined ? `--session ${query.session}` : '',
    query.phase !== undefined ? `--phase ${query.phase}` : '',
    query.agent !== undefined ? `--agent ${query.agent}` : '',
  ].filter(Boolean);
  return ['sat stats', report, ...flags].join(' ');
}

/**
 * `count` items spread evenly over `items` (all of them when there are fewer).
 *
 * @example
 * spread([1, 2, 3, 4, 5, 6], 3) // [1, 3, 5]
 */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

async function countsOf(store: CliStore): Promise<Record<string, number>> {
  const all = { days: 'all' as const };
  const status = await store.status();
  const sum = <T>(rows: readonly T[], value: (row: T) => number) => rows.reduce((n, r) => n + value(r), 0);
  const agents = await store.agentPerformance(all);
  const tools = await store.toolEffectiveness(all);
  const errors = await store.errorPatterns(all);
  const cost = await store.costAnalysis(all);
  return {
    'applied events': status.events,
    'sessions with a checkpoint': status.sessions,
    'agent invocations': sum(agents.agents, (a) => a.invocations),
    'tool uses': sum(tools.tools, (t) => t.uses),
    errors: errors.totals.errors,
    'error fingerprints': errors.byFingerprint.length,
    'API responses': cost.responses,
    tokens: cost.tokens.total,
  };
}

/** The queries compared: the defaults, then filters the log suggests (sessions, phases, agents). */
async function queriesFor(source: CliStore, options: VerifyOptions): Promise<AnalyticsQuery[]> {
  const now = options.now;
  const first = options.sessions[0];
  const last = options.sessions.at(-1);
  const agents = (await source.agentPerformance({ days: 'all', now })).agents.map((a) => a.agent);
  const phases = new Set<string>();
  for (const session of spread(options.sessions, 5))
    for (const phase of (await source.sessionSummary({ session, now }))?.phases ?? []) phases.add(phase);
  const sessions = [...new Set([first, last].filter((s): s is string => s !== undefined))];
  return [
    { now },
    { days: 'all', now },
    { days: 7, now },
    ...sessions.map((session) => ({ session, now })),
    ...spread([...phases], 2).map((phase) => ({ phase, days: 'all' as const, now })),
    ...spread(agents, 2).map((agent) => ({ agent, days: 'all' as const, now })),
    ...(first && agents[0] ? [{ session: first, agent: agents[0], now }] : []),
  ];
}

async function compareQueries(
  source: CliStore,
  target: CliStore,
  options: VerifyOptions,
  differences: StoreDifference[],
): Promise<number> {
  let compared = 0;
  for (const query of await queriesFor(source, options))
    for (const report of Object.keys(REPORT_QUERIES) as ReportName[]) {
      const run = REPORT_QUERIES[report] as (s: CliStore, q: AnalyticsQuery) => Promise<unknown>;
      const [a, b] = [await run(source, query), await run(target, query)];
      compared++;
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const { now: _now, ...shown } = query;
      const what = describeQuery(report, shown);
      const fields = jsonDifferences(a, b);
      if (fields.length === 0)
        differences.push({ check: 'query', what, field: '(key order)', source: a, target: b });
      for (const field of fields) differences.push({ check: 'query', what, ...field });
    }
  return compared;
}

/**
 * Compares two stores that ingested the same log: counts per projection, a sample of sessions
 * field by field (`sessionSummary`: its agents, tools, errors, files, tokens and cost), and every
 * `sat stats` report's JSON. Returns what was compared and every difference found.
 *
 * @example
 * const { differences } = await verifyStores(sqlite, mongo, { sessions, now: Date.now() });
 */
export async function verifyStores(
  source: CliStore,
  target: CliStore,
  options: VerifyOptions,
): Promise<StoreVerification> {
  const differences: StoreDifference[] = [];
  const [a, b] = [await countsOf(source), await countsOf(target)];
  const counts = Object.keys(a)
    .filter((what) => !options.machineCountsOnly || MACHINE_COUNTS.has(what))
    .map((what) => ({ what, source: a[what]!, target: b[what]! }));
  for (const c of counts) if (c.source !== c.target) differences.push({ check: 'count', field: '', ...c });
  if (options.machineCountsOnly) return { counts, sampledSessions: 0, queries: 0, differences };
  const sampled = spread(options.sessions, options.sample ?? 25);
  for (const session of sampled) {
    const query = { session, now: options.now };
    const fields = jsonDifferences(await source.sessionSummary(query), await target.sessionSummary(query));
    for (const field of fields) differences.push({ check: 'row', what: `session ${session}`, ...field });
  }
  const queries = await compareQueries(source, target, options, differences);
  return { counts, sampledSessions: sampled.length, queries, differences };
}
