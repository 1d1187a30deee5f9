import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Empty, markDrawn } from '../common';
import { cost, tokens } from '../format';

/** One day of `GET /api/charts/usage`. */
export interface UsageDay {
  day: string;
  tokens: number;
  cost: number;
}

function options(width: number): uPlot.Options {
  return {
    width,
    height: 220,
    legend: { show: true },
    cursor: { points: { show: false } },
    scales: { x: { time: true }, tokens: {}, usd: {} },
    axes: [
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' } },
      {
        scale: 'tokens',
        stroke: '#6b7280',
        values: (_u, ticks) => ticks.map((t) => tokens(t)),
        size: 56,
        grid: { stroke: '#eef0f3' },
      },
      {
        scale: 'usd',
        side: 1,
        stroke: '#b45309',
        values: (_u, ticks) => ticks.map((t) => `$${t.toFixed(2)}`),
        size: 60,
        grid: { show: false },
      },
    ],
    series: [
      { label: 'day', value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
      {
        label: 'tokens',
        scale: 'tokens',
        stroke: '#4f7cc1',
        fill: 'rgba(79,124,193,0.45)',
        paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
        points: { show: false },
        value: (_u, v) => tokens(v),
      },
      { label: 'cost', scale: 'usd', stroke: '#b45309', width: 2, value: (_u, v) => cost(v) },
    ],
  };
}

/** Tokens (bars) and cost (a line on its own axis) per day, drawn by uPlot at the box's width. */
export function UsageChart({ days }: { days: UsageDay[] }) {
  const box = useRef<HTMLDivElement>(null);
  const hasData = days.some((d) => d.tokens > 0 || d.cost > 0);
  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      options(Math.max(240, el.clientWidth)),
      [xs, days.map((d) => d.tokens), days.map((d) => d.cost)],
      el,
    );
    markDrawn(el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(240, el.clientWidth), height: 220 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, hasData]);
  if (!hasData)
    return (
      <Empty>
        No tokens in this range: widen it (days = all) or import transcripts with <code>sat import</code>.
      </Empty>
    );
  return <div class="usage-chart" ref={box} data-chart="usage" />;
}
