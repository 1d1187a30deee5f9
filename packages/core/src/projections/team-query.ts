import type { PriceTable } from '../pricing/prices.js';
import { type AnalyticsFilters, resolveFilters } from './analytics-filters.js';
import { type AnalyticsReader, aggregateFilter, priceModels, run } from './analytics-queries.js';
import type { TeamActivity, TeamActivityRow } from './analytics-results.js';
import { DAY_MS } from './project-events.js';
import type { UsageMeasures } from './rollups.js';

const SEPARATOR = '\u0001';

const keyOf = (user: string, machine: string, day: number) =>
  `${day}${SEPARATOR}${user}${SEPARATOR}${machine}`;

interface Cell {
  user: string;
  machine: string;
  day: number;
  sessions: number;
  errors: number;
  toolCalls: number;
  invocations: number;
  usage: Array<{ model: string; m: UsageMeasures }>;
}

function cellOf(cells: Map<string, Cell>, user: string, machine: string, day: number): Cell {
  const key = keyOf(user, machine, day);
  let cell = cells.get(key);
  if (!cell) {
    cell = { user, machine, day, sessions: 0, errors: 0, toolCalls: 0, invocations: 0, usage: [] };
    cells.set(key, cell);
  }
  return cell;
}

function rowOf(cell: Cell, prices: PriceTable): TeamActivityRow {
  const { models: _models, ...cost } = priceModels(cell.usage, prices);
  return {
    user: cell.user,
    machine: cell.machine,
    day: new Date(cell.day * DAY_MS).toISOString().slice(0, 10),
    sessions: cell.sessions,
    errors: cell.errors,
    toolCalls: cell.toolCalls,
    invocations: cell.invocations,
    ...cost,
  };
}

/**
 * Who did what: sessions (counted on the day of their first event, for the session's owner),
 * tokens, cost, errors, tool calls and agent invocations per user x machine x day. Every filter applies to tokens and errors;
 * sessions honour days, session, user and machine. Rows by day, then user, then machine.
 *
 * @example
 * const { rows } = await queryTeamActivity(reader, { days: 7 }, DEFAULT_PRICES);
 * rows[0]; // { user: 'ana', machine: 'ana-laptop', day: '2026-03-04', sessions: 2, errors: 1, cost: 0.42, ... }
 */
export async function queryTeamActivity(
  reader: AnalyticsReader,
  query: AnalyticsFilters,
  prices: PriceTable,
): Promise<TeamActivity> {
  const filters = resolveFilters(query);
  const owned: ['day', 'user', 'machine'] = ['day', 'user', 'machine'];
  const [starts, usage, errors, tools, invocations] = await Promise.all([
    reader.sessionStarts(aggregateFilter(filters)),
    run(reader, 'usage', filters, [...owned, 'model']),
    run(reader, 'errors', filters, owned),
    run(reader, 'tools', filters, owned),
    run(reader, 'invocations', filters, owned),
  ]);
  const cells = new Map<string, Cell>();
  const at = (dims: Record<string, unknown>) =>
    cellOf(cells, String(dims.user), String(dims.machine), Number(dims.day));
  for (const s of starts) cellOf(cells, s.user, s.machine, s.day).sessions += s.sessions;
  for (const row of usage)
    if (row.measures.responses > 0)
      at(row.dims).usage.push({ model: String(row.dims.model), m: row.measures });
  for (const row of errors) if (row.measures.errors > 0) at(row.dims).errors += row.measures.errors;
  for (const row of tools) if (row.measures.uses > 0) at(row.dims).toolCalls += row.measures.uses;
  for (const row of invocations)
    if (row.measures.invocations > 0) at(row.dims).invocations += row.measures.invocations;
  const rows = [...cells.values()]
    .sort(
      (a, b) =>
        a.day - b.day ||
        (a.user < b.user ? -1 : a.user > b.user ? 1 : 0) ||
        (a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : 0),
    )
    .map((cell) => rowOf(cell, prices));
  return { filters, rows };
}
