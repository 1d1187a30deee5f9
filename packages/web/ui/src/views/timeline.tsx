import { useEffect, useRef, useState } from 'preact/hooks';
import { duration } from '../format';
import type { TimelineItem } from '../session-model';

const LANE = 34;
const TOP = 22;

function ticks(span: number, width: number): Array<{ x: number; label: string }> {
  const n = Math.max(2, Math.min(8, Math.floor(width / 110)));
  return Array.from({ length: n + 1 }, (_, i) => ({
    x: (i / n) * width,
    label: `+${duration((i / n) * span)}`,
  }));
}

/** The swim-lane timeline: a lane per agent, tool calls and sub-agent runs as bars, durations to scale. */
export function Timeline({ lanes, items }: { lanes: string[]; items: TimelineItem[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(320, el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [items.length === 0]);
  if (items.length === 0) return <div class="empty">No tool calls or agent runs yet.</div>;
  const t0 = Math.min(...items.map((i) => i.start));
  const t1 = Math.max(...items.map((i) => i.end));
  const span = Math.max(1000, t1 - t0);
  const LABEL = width < 500 ? 84 : 130;
  const plot = width - LABEL - 10;
  const x = (t: number) => LABEL + ((t - t0) / span) * plot;
  const laneY = (lane: string) => TOP + lanes.indexOf(lane) * LANE;
  const height = TOP + lanes.length * LANE + 4;
  return (
    <div class="timeline-box" ref={box}>
      <svg
        class="timeline"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="timeline of tool calls and agent runs"
      >
        {ticks(span, plot).map((t) => (
          <g key={t.x}>
            <line x1={LABEL + t.x} x2={LABEL + t.x} y1={TOP - 4} y2={height} class="tick" />
            <text x={LABEL + t.x} y={12} text-anchor={t.x === 0 ? 'start' : 'end'} class="tick-label">
              {t.label}
            </text>
          </g>
        ))}
        {lanes.map((lane, i) => (
          <g key={lane} data-lane={lane}>
            <rect x={0} y={TOP + i * LANE} width={width} height={LANE} class={i % 2 ? 'lane odd' : 'lane'} />
            <text x={6} y={TOP + i * LANE + 21} class="lane-label">
              {lane.length > LABEL / 7.5 ? `${lane.slice(0, Math.floor(LABEL / 7.5) - 1)}…` : lane}
            </text>
          </g>
        ))}
        {items.map((it) => {
          const y = laneY(it.lane);
          const x0 = x(it.start);
          const w = Math.max(it.kind === 'error' ? 3 : 2, x(it.end) - x0);
          const cls = `bar ${it.kind}${it.failed ? ' failed' : ''}`;
          const h = it.kind === 'run' ? LANE - 6 : LANE - 14;
          return (
            <rect
              key={it.key}
              class={cls}
              x={x0}
              y={y + (LANE - h) / 2}
              width={w}
              height={h}
              rx={2}
              data-tool-use-id={it.toolUseId}
            >
              <title>{`${it.label} (${duration(it.end - it.start)})`}</title>
            </rect>
          );
        })}
      </svg>
    </div>
  );
}
