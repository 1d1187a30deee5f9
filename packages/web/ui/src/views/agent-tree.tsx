import { duration } from '../format';
import type { TreeNode } from '../session-model';

/** Per lane (agent name in the log): tool calls, errors, cost. */
export interface LaneFigures {
  tools: number;
  errors: number;
  cost?: number;
}

interface Row {
  node: TreeNode;
  depth: number;
  parentRow: number;
}

function flatten(node: TreeNode, depth = 0, parentRow = -1, out: Row[] = []): Row[] {
  const me = out.length;
  out.push({ node, depth, parentRow });
  for (const child of node.children) flatten(child, depth + 1, me, out);
  return out;
}

const ROW = 30;
const INDENT = 22;

function meta(node: TreeNode, figures: Map<string, LaneFigures>): string {
  const parts: string[] = [];
  if (node.status) parts.push(node.status);
  if (node.durationMs !== undefined) parts.push(duration(node.durationMs));
  const f = node.kind !== 'task' && node.lane ? figures.get(node.lane) : undefined;
  if (f) {
    parts.push(`${f.tools} tool call${f.tools === 1 ? '' : 's'}`);
    if (f.errors) parts.push(`${f.errors} error${f.errors === 1 ? '' : 's'}`);
    if (f.cost !== undefined) parts.push(`$${f.cost.toFixed(4)}`);
  }
  if (node.detail) parts.push(node.detail);
  return parts.join(' · ');
}

/** The agent tree as SVG: agents, their Task calls, and the sub-agent run under each call. */
export function AgentTree({ root, figures }: { root: TreeNode; figures: Map<string, LaneFigures> }) {
  const rows = flatten(root);
  return (
    <svg
      class="agent-tree"
      viewBox={`0 0 760 ${rows.length * ROW + 6}`}
      style={{ height: `${rows.length * ROW + 6}px` }}
      role="img"
      aria-label="agent tree"
      preserveAspectRatio="xMinYMin meet"
    >
      {rows.map((r, i) => {
        const x = 10 + r.depth * INDENT;
        const y = i * ROW + 18;
        const px = 10 + (r.depth - 1) * INDENT + 5;
        return (
          <g
            key={r.node.key}
            class={`node ${r.node.kind} ${r.node.status ?? ''}`}
            data-kind={r.node.kind}
            data-label={r.node.label}
            data-depth={r.depth}
          >
            {r.parentRow >= 0 ? (
              <path d={`M${px} ${r.parentRow * ROW + 24} V${y - 4} H${x - 2}`} class="edge" />
            ) : null}
            <circle cx={x + 5} cy={y - 4} r={5} class="dot" />
            <text x={x + 16} y={y} class="name">
              {r.node.label}
            </text>
            <text x={x + 16 + Math.min(300, r.node.label.length * 7.4) + 12} y={y} class="meta">
              {meta(r.node, figures)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
