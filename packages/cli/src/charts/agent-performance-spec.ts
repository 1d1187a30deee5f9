import type { AgentPerformance } from '@sat/core';
import { chartConfig, noDataSpec, rangeLabel } from './render-chart.js';

const TITLE = 'Agent performance';
const STAT = { p50: 'p50 (median)', p95: 'p95' } as const;

/**
 * A Vega-Lite spec of `agentPerformance`: one row per agent type (most invoked first) and three
 * panels side by side: invocations, success rate, and p50 / p95 duration. Pure: equal data gives
 * an equal spec. No agents gives a chart that says "no data".
 */
export function agentPerformanceSpec(result: AgentPerformance, today: string): object {
  const subtitle = rangeLabel(result.filters, today);
  if (result.agents.length === 0) return noDataSpec(TITLE, subtitle, 'no agent invocations in this range');
  const order = result.agents.map((a) => a.agent);
  const rows = result.agents.map((a) => ({
    agent: a.agent,
    invocations: a.invocations,
    successRate: a.successRate,
    successLabel: a.successRate === null ? 'n/a' : `${Math.round(a.successRate * 100)}%`,
  }));
  const durations = result.agents.flatMap((a) =>
    (['p50', 'p95'] as const)
      .filter((key) => a.durationMs[key] !== null)
      .map((key) => ({ agent: a.agent, stat: STAT[key], seconds: a.durationMs[key]! / 1000 })),
  );
  const height = Math.max(120, order.length * 28);
  const y = {
    field: 'agent',
    type: 'nominal',
    sort: order,
    title: 'Agent type',
  };
  const yHidden = { ...y, axis: { labels: false, ticks: false, title: null, domain: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${TITLE}: ${result.agents.length} agent type${result.agents.length === 1 ? '' : 's'}`,
      subtitle,
    },
    spacing: 24,
    hconcat: [
      {
        title: { text: 'Invocations', fontSize: 14 },
        width: 240,
        height,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'bar', color: '#4c78a8' },
            encoding: {
              y,
              x: {
                field: 'invocations',
                type: 'quantitative',
                title: 'Invocations (count)',
                axis: { format: 'd', tickMinStep: 1 },
              },
              tooltip: [{ field: 'agent' }, { field: 'invocations' }],
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: {
              y,
              x: { field: 'invocations', type: 'quantitative' },
              text: { field: 'invocations', type: 'quantitative' },
            },
          },
        ],
      },
      {
        title: { text: 'Success rate', fontSize: 14 },
        width: 200,
        height,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'bar', color: '#54a24b' },
            encoding: {
              y: yHidden,
              x: {
                field: 'successRate',
                type: 'quantitative',
                title: 'Success rate (%)',
                scale: { domain: [0, 1] },
                axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] },
              },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: {
              y: yHidden,
              x: { field: 'successRate', type: 'quantitative', scale: { domain: [0, 1] } },
              text: { field: 'successLabel', type: 'nominal' },
            },
          },
        ],
      },
      {
        title: { text: 'Duration', fontSize: 14 },
        width: 260,
        height,
        data: { values: durations },
        layer: [
          {
            mark: { type: 'rule', color: '#bbb', strokeWidth: 2 },
            transform: [
              { pivot: 'stat', value: 'seconds', groupby: ['agent'] },
              { filter: "isValid(datum['p50 (median)']) && isValid(datum.p95)" },
            ],
            encoding: {
              y: { ...yHidden, scale: { domain: order } },
              x: { field: 'p50 (median)', type: 'quantitative' },
              x2: { field: 'p95' },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 120, opacity: 0.9 },
            encoding: {
              y: { ...yHidden, scale: { domain: order } },
              x: { field: 'seconds', type: 'quantitative', title: 'Duration (seconds)' },
              color: {
                field: 'stat',
                type: 'nominal',
                title: 'Duration',
                scale: { domain: [STAT.p50, STAT.p95], range: ['#f58518', '#e45756'] },
                legend: { orient: 'right' },
              },
              shape: {
                field: 'stat',
                type: 'nominal',
                title: 'Duration',
                scale: { domain: [STAT.p50, STAT.p95], range: ['circle', 'diamond'] },
              },
              order: { field: 'stat', sort: 'descending' },
              tooltip: [{ field: 'agent' }, { field: 'stat' }, { field: 'seconds', format: '.1f' }],
            },
          },
        ],
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: chartConfig(),
  };
}
