import type { SessionSummaryFile } from '@sat/core/summary-file';
import type { StatuslineInput } from './statusline-input.js';

/** How a segment's text is coloured (when colour is on). */
export type Tone = 'plain' | 'ok' | 'warn' | 'bad' | 'dim';

/** A rendered segment: its text and tone. */
export interface SegmentText {
  text: string;
  tone: Tone;
}

/** What every segment reads. */
export interface SegmentInput {
  input: StatuslineInput;
  summary?: SessionSummaryFile;
  now: Date;
}

/** One segment: its priority (lower stays longer when the line is short) and how it renders. */
export interface SegmentSpec {
  priority: number;
  render(s: SegmentInput): SegmentText | undefined;
}

const CENT = 0.01;

/**
 * `$1.23`; numbers under a cent keep three decimals.
 *
 * @example
 * usd(0.0042); // '$0.004'
 */
export function usd(value: number): string {
  return value > 0 && value < CENT ? `$${value.toFixed(3)}` : `$${value.toFixed(2)}`;
}

/** `45.2k`, `1.3M`, `812`. */
export function compactTokens(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** `42s`, `12m`, `3h05m`. */
export function compactDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function cost({ input, summary }: SegmentInput): SegmentText | undefined {
  const claude = input.costUsd;
  const sat = summary && summary.totalTokens > 0 ? summary.cost : undefined;
  if (claude === undefined && sat === undefined) return undefined;
  if (claude === undefined) return { text: `${usd(sat!)} sat`, tone: 'plain' };
  if (sat === undefined || Math.abs(claude - sat) <= CENT) return { text: usd(claude), tone: 'plain' };
  return { text: `${usd(claude)} claude, ${usd(sat)} sat`, tone: 'plain' };
}

function context({ input, summary }: SegmentInput): SegmentText | undefined {
  const percent = input.contextPercent ?? summary?.context?.percent;
  if (percent === undefined) return undefined;
  const at = summary?.handoffAtPercent ?? 80;
  const tone: Tone = percent >= at ? 'bad' : percent >= at - 10 ? 'warn' : 'ok';
  return { text: `ctx ${Math.round(percent)}%`, tone };
}

function handoff({ input, summary }: SegmentInput): SegmentText | undefined {
  if (!summary) return undefined;
  if (summary.lastHandoff) return { text: 'handoff ready', tone: 'ok' };
  const percent = input.contextPercent ?? summary.context?.percent;
  if (percent !== undefined && percent >= summary.handoffAtPercent)
    return { text: 'handoff due', tone: 'warn' };
  return undefined;
}

function backup({ summary, now }: SegmentInput): SegmentText | undefined {
  if (!summary) return undefined;
  if (!summary.lastBackup) return { text: 'no backup', tone: 'dim' };
  const age = now.getTime() - Date.parse(summary.lastBackup.at);
  return { text: `backup ${compactDuration(age)} ago`, tone: 'dim' };
}

function rateLimits({ input }: SegmentInput): SegmentText | undefined {
  const parts: string[] = [];
  let top = 0;
  for (const [label, limit] of [
    ['5h', input.fiveHour],
    ['7d', input.sevenDay],
  ] as const) {
    if (!limit) continue;
    parts.push(`${label} ${Math.round(limit.percent)}%`);
    top = Math.max(top, limit.percent);
  }
  if (parts.length === 0) return undefined;
  return { text: parts.join(' '), tone: top >= 90 ? 'bad' : top >= 75 ? 'warn' : 'dim' };
}

/**
 * Every segment `statusline.segments` can name. What only sat knows (sub-agents, errors, alerts,
 * handoff, backup) comes from the per-session summary file; the rest from Claude Code's stdin.
 */
export const SEGMENTS: Record<string, SegmentSpec> = {
  model: { priority: 0, render: ({ input }) => ({ text: input.model ?? 'Claude', tone: 'plain' }) },
  context: { priority: 1, render: context },
  cost: { priority: 2, render: cost },
  alerts: {
    priority: 3,
    render: ({ summary }) => {
      const n = summary?.alerts.length ?? 0;
      if (n === 0) return undefined;
      const bad = summary!.alerts.some((a) => a.level === 'critical');
      return { text: n === 1 ? '1 alert' : `${n} alerts`, tone: bad ? 'bad' : 'warn' };
    },
  },
  agents: {
    priority: 4,
    render: ({ summary }) => {
      const n = summary?.agents.running ?? 0;
      return n > 0 ? { text: `${n} sub-agent${n === 1 ? '' : 's'}`, tone: 'ok' } : undefined;
    },
  },
  errors: {
    priority: 5,
    render: ({ summary }) => {
      const n = summary?.errors.open ?? 0;
      return n > 0 ? { text: `${n} error${n === 1 ? '' : 's'}`, tone: 'bad' } : undefined;
    },
  },
  handoff: { priority: 6, render: handoff },
  'rate-limits': { priority: 7, render: rateLimits },
  backup: { priority: 8, render: backup },
  lines: {
    priority: 9,
    render: ({ input }) =>
      input.linesAdded === undefined && input.linesRemoved === undefined
        ? undefined
        : { text: `+${input.linesAdded ?? 0} -${input.linesRemoved ?? 0}`, tone: 'dim' },
  },
  effort: {
    priority: 10,
    render: ({ input }) => (input.effort ? { text: `effort ${input.effort}`, tone: 'dim' } : undefined),
  },
  duration: {
    priority: 11,
    render: ({ input }) =>
      input.durationMs === undefined ? undefined : { text: compactDuration(input.durationMs), tone: 'dim' },
  },
};
