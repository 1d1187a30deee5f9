import { formatCost, formatDuration, formatTokens } from '../output.js';
import { DASHBOARD_KEYS } from './keys.js';
import type { DashboardView, UsageRow } from './view-model.js';

/** How a frame is drawn. */
export interface FrameOptions {
  /** Columns; at least 40 are used. Default 80. */
  width?: number;
  /** Rows; at least 16 are used. Default 24. */
  height?: number;
  /** ANSI colours (off under NO_COLOR and when stdout is not a terminal). Default false. */
  color?: boolean;
}

const SPARKS = '▁▂▃▄▅▆▇█';
const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1, inverse: 7 } as const;
type Paint = (style: keyof typeof CODES, text: string) => string;

/** A sparkline of `values` scaled to their maximum: '▁▃█'; '' for none. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => SPARKS[max > 0 ? Math.min(7, Math.floor((v / max) * 7.999)) : 0]).join('');
}

/** The context bar: filled to `percent`, with `|` at the handoff threshold. */
export function contextBar(percent: number, threshold: number, cells: number): string {
  const filled = Math.round((Math.min(100, percent) / 100) * cells);
  const mark = Math.min(cells - 1, Math.round((threshold / 100) * cells));
  return Array.from({ length: cells }, (_, i) => (i === mark ? '|' : i < filled ? '█' : '░')).join('');
}

/** Cuts `text` to `width` visible characters, with an ellipsis when it was longer. */
export function clipText(text: string, width: number): string {
  const chars = [...text.replace(/[\r\n\t]+/g, ' ')];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function rowsText(rows: readonly UsageRow[]): string {
  if (rows.length === 0) return 'none yet';
  return rows.map((r) => `${r.name} ${formatTokens(r.tokens)} ${formatCost(r.cost)}`).join(' · ');
}

function headerLines(view: DashboardView, paint: Paint, width: number): string[] {
  const s = view.session;
  const paused = view.ui.paused ? ` ${paint('inverse', ' PAUSED ')}` : '';
  if (!s)
    return [`${paint('bold', 'sat dashboard')}  waiting for a session (no events captured yet)${paused}`];
  const which = `session ${view.index + 1}/${view.sessions.length}`;
  const state = s.ended ? 'ended' : paint('green', 'active');
  const lines = [
    `${paint('bold', 'sat dashboard')} ${s.id.slice(0, 13)} ${state} ${formatDuration(s.elapsedMs)}  ${which}  ${s.eventCount} events${s.model ? `  ${s.model}` : ''}${paused}`,
  ];
  const label = 'context ';
  if (s.context) {
    const tail = ` ${s.context.percent}% ${formatTokens(s.context.tokens)}/${formatTokens(s.context.window)} (handoff ${view.threshold}%)`;
    const cells = Math.max(10, width - label.length - tail.length - 2);
    const colour = s.context.percent >= view.threshold ? 'red' : s.context.percent >= 70 ? 'yellow' : 'green';
    lines.push(`${label}[${paint(colour, contextBar(s.context.percent, view.threshold, cells))}]${tail}`);
  } else lines.push(`${label}no API response recorded yet (handoff at ${view.threshold}%)`);
  const versus = s.versus
    ? `  vs avg of ${s.versus.average.sessions}: ${formatTokens(Math.round(s.versus.average.tokens))} ${formatCost(s.versus.average.cost)} ${Math.round(s.versus.average.toolCalls)} tools`
    : '';
  lines.push(`tokens ${formatTokens(s.tokens)}  cost ${formatCost(s.cost)}${versus}`);
  lines.push(`models ${rowsText(s.byModel)}`, `agents ${rowsText(s.byAgent)}`);
  lines.push(`tok/min ${sparkline(s.tokensPerMinute)}  latency ${sparkline(s.latencies.slice(-30)) || '-'}`);
  return lines;
}

function activityLines(view: DashboardView, paint: Paint): string[] {
  const s = view.session;
  if (!s) return [];
  const tree = s.agents.length
    ? s.agents
        .map((a) => `${'  '.repeat(a.depth - 1)}${a.parent}>${a.agent} ${formatDuration(a.elapsedMs)}`)
        .join(' · ')
    : 'none';
  const inFlight = s.inFlight.length
    ? s.inFlight.map((c) => `${c.tool} (${c.agent}) ${formatDuration(c.elapsedMs)}`).join(' · ')
    : 'none';
  const tools = s.tools.length
    ? s.tools
        .slice(0, 8)
        .map(
          (t) =>
            `${t.ok ? '' : paint('red', '✗')}${t.tool} ${t.durationMs !== undefined ? formatDuration(t.durationMs) : '?'}`,
        )
        .join(' · ')
    : 'none yet';
  const lines = [`running ${tree}`, `in flight ${inFlight}`, `tools ${tools}`];
  const errors = `errors ${s.errors.count} (${s.errors.open} open)${s.errors.latest.length ? `: ${s.errors.latest[s.errors.latest.length - 1]}` : ''}`;
  lines.push(s.errors.count ? paint('red', errors) : errors);
  for (const alert of s.alerts.slice(0, 2))
    lines.push(
      paint(alert.level === 'critical' ? 'red' : 'yellow', `alert ${alert.level}: ${alert.message}`),
    );
  if (view.issues.count)
    lines.push(paint('yellow', `input problems ${view.issues.count}: ${view.issues.latest ?? ''}`));
  return lines;
}

function listLines(view: DashboardView, paint: Paint, rows: number): string[] {
  if (view.details) return [paint('bold', 'details (esc closes)'), ...view.details.slice(0, rows - 1)];
  const s = view.session;
  const filter = view.ui.agent ? ` of ${view.ui.agent}` : '';
  const events = s?.events ?? [];
  const first = Math.max(0, Math.min(view.ui.selected - rows + 2, events.length - rows + 1));
  const shown = events.slice(first, first + rows - 1).map((e, i) => {
    const line = `${e.time} ${e.agent} ${e.type} ${e.text}`;
    return first + i === view.ui.selected ? paint('inverse', `>${line}`) : ` ${line}`;
  });
  return [paint('bold', `recent events${filter} (${events.length})`), ...shown];
}

/**
 * Draws one frame of the dashboard as lines of at most `width` columns and exactly `height`
 * rows (the header, activity, the scrolling event list or the selected event's details, and the
 * footer of keys). Pure: the same view gives the same frame.
 *
 * @example
 * process.stdout.write(`${renderFrame(view, { width: 80, height: 24 }).join('\n')}\n`);
 */
export function renderFrame(view: DashboardView, options: FrameOptions = {}): string[] {
  const width = Math.max(40, options.width ?? 80);
  const height = Math.max(16, options.height ?? 24);
  const plain: Paint = (_style, text) => text;
  const colour: Paint = (style, text) => `\u001b[${CODES[style]}m${text}\u001b[0m`;
  const paint = options.color ? colour : plain;
  const top = [...headerLines(view, paint, width), ...activityLines(view, paint)];
  const footer = DASHBOARD_KEYS.map(([key, what]) => `${key} ${what}`).join('  ');
  const list = listLines(view, paint, Math.max(2, height - top.length - 1));
  const lines = [...top, ...list].slice(0, height - 1);
  while (lines.length < height - 1) lines.push('');
  lines.push(paint('dim', clipText(footer, width)));
  return lines.map((line, i) =>
    i === lines.length - 1 ? line : fitPainted(line, width, options.color === true),
  );
}

/** Cuts a line that may hold colour codes to `width` visible characters. */
function fitPainted(line: string, width: number, coloured: boolean): string {
  if (!coloured) return clipText(line, width);
  let visible = 0;
  let out = '';
  for (const part of line.split(/(\u001b\[\d+m)/)) {
    if (part.startsWith('\u001b[')) {
      out += part;
      continue;
    }
    const chars = [...part];
    const room = width - visible;
    if (chars.length > room) return `${out}${chars.slice(0, Math.max(0, room - 1)).join('')}…\u001b[0m`;
    out += part;
    visible += chars.length;
  }
  return out;
}
