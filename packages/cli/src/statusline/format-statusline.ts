import type { SessionSummaryFile } from '@sat/core/summary-file';
import { compactDuration, compactTokens, SEGMENTS, type SegmentText, type Tone } from './segments.js';
import type { StatuslineInput } from './statusline-input.js';

/** What {@link formatStatusline} renders. */
export interface StatuslineFrame {
  input: StatuslineInput;
  /** The per-session summary file, when there is one. */
  summary?: SessionSummaryFile;
  /** Segment names in display order (unknown names are skipped: the caller reports them). */
  segments: readonly string[];
  /** The width to fit. */
  columns: number;
  color: boolean;
  now: Date;
}

const SEPARATOR = ' | ';
const ELLIPSIS = '…';

const ANSI: Record<Tone, string> = {
  plain: '',
  ok: '\x1b[32m',
  warn: '\x1b[33m',
  bad: '\x1b[31m',
  dim: '\x1b[2m',
};

function paint(part: SegmentText, color: boolean): string {
  const code = ANSI[part.tone];
  return color && code ? `${code}${part.text}\x1b[0m` : part.text;
}

/** `text` cut to `width` characters, ending with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}${ELLIPSIS}`;
}

function widthOf(parts: readonly SegmentText[]): number {
  let total = 0;
  for (const p of parts) total += [...p.text].length;
  return total + Math.max(0, parts.length - 1) * SEPARATOR.length;
}

/**
 * The segments that fit `columns`: those with something to say, in display order, the
 * lowest-priority ones dropped first; a single segment still too long is truncated.
 */
function fitSegments(frame: StatuslineFrame): SegmentText[] {
  const rendered: Array<{ part: SegmentText; priority: number }> = [];
  for (const name of frame.segments) {
    const spec = SEGMENTS[name];
    const part = spec?.render(frame);
    if (spec && part) rendered.push({ part, priority: spec.priority });
  }
  while (rendered.length > 1 && widthOf(rendered.map((r) => r.part)) > frame.columns) {
    let worst = 0;
    for (let i = 1; i < rendered.length; i++)
      if (rendered[i]!.priority > rendered[worst]!.priority) worst = i;
    rendered.splice(worst, 1);
  }
  const parts = rendered.map((r) => r.part);
  if (parts.length === 1 && widthOf(parts) > frame.columns)
    parts[0] = { ...parts[0]!, text: truncate(parts[0]!.text, frame.columns) };
  return parts;
}

/**
 * The statusline: one line that fits `columns`, plus a second line with the newest current
 * alert when the `alerts` segment is on and there is one. No colour unless `color`.
 *
 * @example
 * formatStatusline({ input: { model: 'Opus' }, segments: ['model'], columns: 80, color: false, now: new Date() });
 * // ['Opus']
 */
export function formatStatusline(frame: StatuslineFrame): string[] {
  const line = fitSegments(frame)
    .map((p) => paint(p, frame.color))
    .join(SEPARATOR);
  const lines = [line];
  const alert = frame.summary?.alerts.at(-1);
  if (alert && frame.segments.includes('alerts')) {
    const tone: Tone = alert.level === 'critical' ? 'bad' : alert.level === 'warning' ? 'warn' : 'dim';
    lines.push(
      paint({ text: truncate(`${alert.level}: ${alert.message}`, frame.columns), tone }, frame.color),
    );
  }
  return lines;
}

/**
 * The `subagentStatusLine` rows: one per sub-agent still running (name, elapsed time, tool calls,
 * tokens of that agent name), each fitted to `columns`; a single line saying so when none runs.
 * When the input names one sub-agent (`agent_id`) that sat knows, only its row.
 *
 * @example
 * formatSubagentRows({ input: {}, summary, segments: [], columns: 80, color: false, now: new Date() });
 * // ['Explore  2m05s  3 tools  45.2k tokens']
 */
export function formatSubagentRows(frame: StatuslineFrame): string[] {
  const all = frame.summary?.running ?? [];
  // Run for one sub-agent (its id on stdin): its row only, when sat knows it.
  const one = frame.input.agentId ? all.filter((r) => r.agentId === frame.input.agentId) : [];
  const running = one.length > 0 ? one : all;
  if (running.length === 0) return [frame.summary ? 'no sub-agent running' : 'sat: no session data yet'];
  return running.map((run) => {
    const elapsed = compactDuration(frame.now.getTime() - Date.parse(run.startedAt));
    const shared = run.agentRuns > 1 ? ` (all ${run.agentRuns} ${run.agent} runs)` : '';
    const tokens = run.agentTokens > 0 ? `  ${compactTokens(run.agentTokens)} tokens${shared}` : '';
    const id = run.agentId ? ` ${run.agentId.slice(0, 8)}` : '';
    const tools = `  ${run.tools} tool${run.tools === 1 ? '' : 's'}`;
    return truncate(`${run.agent}${id}  ${elapsed}${tools}${tokens}`, frame.columns);
  });
}
