import { chartConfig, noDataSpec } from './render-chart.js';

/** One point of a tokens-and-cost series: a day (`YYYY-MM-DD`) or a session. */
export interface UsagePoint {
  key: string;
  tokens: number;
  costUsd: number;
}

/**
 * A Vega-Lite spec of tokens (bars) and cost (a line on its own axis) per day or per session, in
 * the order given. Pure: equal data gives an equal spec; no points gives a chart that says so.
 *
 * @example
 * usageSeriesSpec('Tokens and cost per day', 'phase 2', review.series.byDay.map((d) => ({ key: d.day, ...d })));
 */
export function usageSeriesSpec(title: string, subtitle: string, points: readonly UsagePoint[]): object {
  if (points.length === 0) return noDataSpec(title, subtitle, 'no tokens in this scope');
  const order = points.map((pt) => pt.key);
  const x = {
    field: 'key',
    type: 'ordinal',
    sort: order,
    title: null,
    axis: { labelAngle: -45, labelLimit: 110 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: Math.min(900, Math.max(320, points.length * 24)),
    height: 220,
    data: { values: points.map((pt) => ({ key: pt.key, tokens: pt.tokens, cost: pt.costUsd })) },
    encoding: { x },
    layer: [
      {
        mark: { type: 'bar', color: '#8fb3de' },
        encoding: { y: { field: 'tokens', type: 'quantitative', title: 'Tokens', axis: { format: '~s' } } },
      },
      {
        mark: { type: 'line', color: '#c0392b', point: true },
        encoding: {
          y: { field: 'cost', type: 'quantitative', title: 'Cost (USD)', axis: { format: '$.2f' } },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: chartConfig(),
  };
}
