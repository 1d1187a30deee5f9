import { useEffect, useRef } from 'preact/hooks';
import { Empty, markDrawn } from '../common';
import { duration, percent } from '../format';

/** One agent type of `GET /api/charts/agents` (the rows of `sat stats agents`). */
export interface AgentRow {
  agent: string;
  invocations: number;
  successRate: number | null;
  durationMs: { p50: number | null; p95: number | null } | null;
}

const ROW = 30;
const LABEL = 120;
const WIDTH = 660;

/** Per agent type: invocations as a bar (green share = success rate), p50 / p95 duration beside it. */
export function AgentBars({ rows: all }: { rows: AgentRow[] }) {
  const rows = all.filter((r) => r.invocations > 0);
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => markDrawn(ref.current), [all]);
  if (rows.length === 0)
    return <Empty>No agent runs in this range: sub-agents appear once a Task call starts one.</Empty>;
  const max = Math.max(1, ...rows.map((r) => r.invocations));
  const bar = WIDTH - LABEL - 300;
  return (
    <svg
      ref={ref}
      class="agent-bars"
      data-chart="agents"
      viewBox={`0 0 ${WIDTH} ${rows.length * ROW + 8}`}
      role="img"
      aria-label="agent performance"
    >
      {rows.map((r, i) => {
        const w = Math.max(2, (r.invocations / max) * bar);
        const ok = w * (r.successRate ?? 0);
        const y = i * ROW + 4;
        return (
          <g key={r.agent}>
            <text x={LABEL - 8} y={y + 16} text-anchor="end" class="label">
              {r.agent}
            </text>
            <rect x={LABEL} y={y + 4} width={w} height={16} class="bar-fail" />
            <rect x={LABEL} y={y + 4} width={ok} height={16} class="bar-ok" />
            <text x={LABEL + w + 6} y={y + 16} class="value">
              {`${r.invocations}× · ${percent(r.successRate)} ok · p50 ${duration(r.durationMs?.p50)} · p95 ${duration(r.durationMs?.p95)}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
