import { useEffect, useRef, useState } from 'preact/hooks';
import { duration } from '../format';
import type { TimelineItem } from '../session-model';

const ROW = 16;
const PAD = 8;
const TOP = 22;

/** Each item's row within its lane, so that overlapping calls sit one above the other; rows per lane. */
function pack(
  lanes: string[],
  items: TimelineItem[],
): { row: Map<string, number>; rows: Map<string, number> } {
  const row = new Map<string, number>();
  const rows = new Map<string, number>();
  for (const lane of lanes) {
    const ends: number[] = [];
    const mine = items.filter((i) => i.lane === lane && i.kind !== 'run').sort((a, b) => a.start - b.start);
    for (const it of mine) {
      let r = ends.findIndex((end) => end <= it.start);
      if (r < 0) r = ends.push(it.end) - 1;
      else ends[r] = it.end;
      row.set(it.key, r);
    }
    rows.set(lane, Math.max(1, ends.length));
  }
  return { row, rows };
}

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
  const { row, rows } = pack(lanes, items);
  const laneTop = new Map<string, number>();
  let y = TOP;
  for (const lane of lanes) {
    laneTop.set(lane, y);
    y += (rows.get(lane) ?? 1) * ROW + 2 * PAD;
  }
  const laneH = (lane: string) => (rows.get(lane) ?? 1) * ROW + 2 * PAD;
  const height = y + 4;
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
            <rect
              x={0}
              y={laneTop.get(lane)}
              width={width}
              height={laneH(lane)}
              class={i % 2 ? 'lane odd' : 'lane'}
            />
            <text x={6} y={(laneTop.get(lane) ?? 0) + PAD + 12} class="lane-label">
              {lane.length > LABEL / 7.5 ? `${lane.slice(0, Math.floor(LABEL / 7.5) - 1)}…` : lane}
            </text>
          </g>
        ))}
        {[...items.filter((i) => i.kind === 'run'), ...items.filter((i) => i.kind !== 'run')].map((it) => {
          const top = laneTop.get(it.lane) ?? TOP;
          const x0 = x(it.start);
          const w = Math.max(it.kind === 'error' ? 3 : 2, x(it.end) - x0);
          const cls = `bar ${it.kind}${it.failed ? ' failed' : ''}`;
          const run = it.kind === 'run';
          return (
            <rect
              key={it.key}
              class={cls}
              x={x0}
              y={run ? top + 3 : top + PAD + (row.get(it.key) ?? 0) * ROW + 2}
              width={w}
              height={run ? laneH(it.lane) - 6 : ROW - 4}
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
