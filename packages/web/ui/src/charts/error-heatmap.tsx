import { useEffect, useRef } from 'preact/hooks';
import { Empty, markDrawn } from '../common';

/** One cell of `GET /api/charts/errors`: an agent (or day) x error type and its count. */
export interface ErrorCell {
  key: string;
  errorType: string;
  count: number;
}

const CELL_W = 110;
const CELL_H = 28;
const LEFT = 130;
const TOP = 24;

/** Error counts as a grid: rows are agents (or days), columns error types, darker is more. */
export function ErrorHeatmap({ cells }: { cells: ErrorCell[] }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => markDrawn(ref.current), [cells]);
  if (cells.length === 0) return <Empty>No errors in this range.</Empty>;
  const rows = [...new Set(cells.map((c) => c.key))];
  const cols = [...new Set(cells.map((c) => c.errorType))].sort();
  const max = Math.max(...cells.map((c) => c.count));
  const width = LEFT + cols.length * CELL_W + 4;
  return (
    <svg
      ref={ref}
      class="heatmap"
      data-chart="errors"
      width={width}
      height={TOP + rows.length * CELL_H + 4}
      viewBox={`0 0 ${width} ${TOP + rows.length * CELL_H + 4}`}
      role="img"
      aria-label="error heatmap"
    >
      {cols.map((col, j) => (
        <text key={col} x={LEFT + j * CELL_W + CELL_W / 2} y={16} text-anchor="middle" class="label">
          {col}
        </text>
      ))}
      {rows.map((row, i) => (
        <g key={row}>
          <text x={LEFT - 8} y={TOP + i * CELL_H + 18} text-anchor="end" class="label">
            {row}
          </text>
          {cols.map((col, j) => {
            const n = cells.find((c) => c.key === row && c.errorType === col)?.count ?? 0;
            const shade = n === 0 ? 0 : 0.15 + 0.85 * (n / max);
            return (
              <g key={col}>
                <rect
                  x={LEFT + j * CELL_W + 2}
                  y={TOP + i * CELL_H + 2}
                  width={CELL_W - 4}
                  height={CELL_H - 4}
                  rx={3}
                  fill={n ? `rgba(192,57,43,${shade.toFixed(2)})` : '#f3f4f6'}
                />
                <text
                  x={LEFT + j * CELL_W + CELL_W / 2}
                  y={TOP + i * CELL_H + 18}
                  text-anchor="middle"
                  class={shade > 0.55 ? 'value light' : 'value'}
                >
                  {n || ''}
                </text>
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}
