import type { ResolvedFilters } from '@sat/core';
import { chartConfig, noDataSpec, rangeLabel } from './render-chart.js';

/** One heatmap cell: errors of one type by one agent (or on one day). */
export interface ErrorCell {
  /** The agent, or the day as `YYYY-MM-DD`. */
  key: string;
  errorType: string;
  count: number;
}

/** What the heatmap shows. */
export interface ErrorHeatmapData {
  by: 'agent' | 'day';
  filters: ResolvedFilters;
  cells: ErrorCell[];
}

/**
 * A Vega-Lite heatmap of errors: rows are agents (or days), columns error types, the colour the
 * count (written in each cell). Pure. No errors gives a chart that says "no data".
 */
export function errorHeatmapSpec(data: ErrorHeatmapData, today: string): object {
  const title = data.by === 'agent' ? 'Errors by agent and type' : 'Errors by day and type';
  const subtitle = rangeLabel(data.filters, today);
  const cells = data.cells.filter((c) => c.count > 0);
  if (cells.length === 0) return noDataSpec(title, subtitle, 'no errors in this range');
  const total = (pick: (c: ErrorCell) => string) => {
    const sums = new Map<string, number>();
    for (const c of cells) sums.set(pick(c), (sums.get(pick(c)) ?? 0) + c.count);
    return sums;
  };
  const byType = total((c) => c.errorType);
  const byKey = total((c) => c.key);
  const types = [...byType.keys()].sort((a, b) => byType.get(b)! - byType.get(a)! || a.localeCompare(b));
  const keys =
    data.by === 'day'
      ? [...byKey.keys()].sort()
      : [...byKey.keys()].sort((a, b) => byKey.get(b)! - byKey.get(a)! || a.localeCompare(b));
  const max = Math.max(...cells.map((c) => c.count));
  const rowTitle = data.by === 'agent' ? 'Agent' : 'Day (UTC)';
  const sum = cells.reduce((n, c) => n + c.count, 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${title}: ${sum} error${sum === 1 ? '' : 's'}`, subtitle },
    width: { step: Math.max(56, Math.min(110, 7 * Math.max(...types.map((t) => t.length)))) },
    height: { step: 32 },
    data: { values: cells },
    encoding: {
      x: {
        field: 'errorType',
        type: 'nominal',
        sort: types,
        title: 'Error type',
        axis: { labelAngle: types.some((t) => t.length > 10) ? -30 : 0, orient: 'bottom' },
      },
      y: { field: 'key', type: 'nominal', sort: keys, title: rowTitle },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            title: 'Errors',
            scale: { scheme: 'oranges', domain: [0, max] },
            legend: {
              gradientLength: Math.max(64, Math.min(200, keys.length * 32)),
              format: 'd',
              tickMinStep: 1,
            },
          },
          tooltip: [{ field: 'key', title: rowTitle }, { field: 'errorType' }, { field: 'count' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: {
            condition: { test: `datum.count > ${max / 2}`, value: 'white' },
            value: 'black',
          },
        },
      },
    ],
    config: { ...chartConfig(), axis: { ...(chartConfig().axis as object), grid: false } },
  };
}
