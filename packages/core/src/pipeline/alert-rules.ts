import type { AlertSettings } from '../config/config-schema.js';
import type { EventPayloads } from '../events/payloads.js';
import { CONTEXT_ALERT, ERROR_SPIKE_ALERT, windowErrorRate } from '../session-state/alert-state.js';
import type { AlertState, SessionState } from '../session-state/session-state.js';

/** An alert's payload, as it goes into the log. */
export type AlertPayload = EventPayloads['alert'];

/** The user's usual error rate (error events per tool call) over past sessions. */
export interface ErrorBaseline {
  median: number;
  mad: number;
  /** Mean absolute deviation from the median (stands in when the MAD is 0). */
  meanAbsDev: number;
  /** Past sessions it is made of. */
  n: number;
}

/** What {@link dueAlerts} judges a session by. */
export interface AlertInputs {
  state: SessionState;
  /** The main context against the model's window, as `summarizeSessionState` gives it (`sat status`, handoffs). */
  context?: { tokens: number; window: number; percent: number; model: string };
  /** The user's error-rate baseline; undefined when it was not needed or there is too little history. */
  baseline?: ErrorBaseline;
  settings: AlertSettings;
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;

function contextDue(inputs: AlertInputs): AlertPayload | undefined {
  const { state, context, settings } = inputs;
  if (!context || !state.context) return undefined;
  if (state.context.seq <= (state.compaction.lastPreCompactSeq ?? 0)) return undefined;
  const share = context.percent / 100;
  const critical = share >= settings.contextCriticalShare;
  if (!critical && share < settings.contextShare) return undefined;
  const level = critical ? 'critical' : 'warning';
  const last: AlertState | undefined = state.alerts.byKind[CONTEXT_ALERT];
  if (last?.current && RANK[last.level] >= RANK[level]) return undefined;
  const threshold = critical ? settings.contextCriticalShare : settings.contextShare;
  return {
    kind: CONTEXT_ALERT,
    level,
    message: `context ${context.percent}% full (${context.tokens} of ${context.window} tokens, ${context.model}), at or above ${Math.round(threshold * 100)}%`,
    metric: 'context_share',
    value: Math.round(share * 1000) / 1000,
    threshold,
    action: 'compact now (/compact) or hand off: sat handoff writes a summary to resume from',
  };
}

/**
 * The error rate at which the window counts as a spike: the rate whose modified z-score against
 * the baseline is `score` (median + score x MAD / 0.6745; with a MAD of 0, the mean absolute
 * deviation scaled by 0.7979 as in insights' `modifiedZScore`; with neither, just above the median).
 *
 * @example
 * spikeThreshold({ median: 0.05, mad: 0.02, meanAbsDev: 0.03, n: 12 }, 3.5); // 0.1538
 */
export function spikeThreshold(baseline: ErrorBaseline, score: number): number {
  if (baseline.mad > 0) return baseline.median + (score * baseline.mad) / 0.6745;
  if (baseline.meanAbsDev > 0) return baseline.median + (score * baseline.meanAbsDev) / 0.7979;
  return baseline.median + Number.EPSILON;
}

/**
 * True when the session's window may hold an error spike, so the baseline is worth reading: the
 * window is full, has at least `errorMinCount` errors, and no error-spike alert is current.
 */
export function spikeCandidate(state: SessionState, settings: AlertSettings): boolean {
  const rate = windowErrorRate(state.alerts.window);
  if (rate === undefined || state.alerts.window.errors.length < settings.errorMinCount) return false;
  return !state.alerts.byKind[ERROR_SPIKE_ALERT]?.current;
}

function errorSpikeDue(inputs: AlertInputs): AlertPayload | undefined {
  const { state, baseline, settings } = inputs;
  if (!baseline || baseline.n < settings.minHistory || !spikeCandidate(state, settings)) return undefined;
  const { calls, errors } = state.alerts.window;
  const rate = errors.length / calls.length;
  const threshold = spikeThreshold(baseline, settings.errorSpikeScore);
  if (rate < threshold) return undefined;
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    kind: ERROR_SPIKE_ALERT,
    level: 'warning',
    message: `error spike: ${errors.length} errors in the last ${calls.length} tool calls (${round(rate)} per call; usual ${round(baseline.median)} over ${baseline.n} past sessions, alert at ${round(threshold)})`,
    metric: 'error_rate',
    value: round(rate),
    threshold: round(threshold),
    baseline: round(baseline.median),
    action: 'look at the open errors (sat status) before going on; the same failing step may be repeating',
  };
}

/**
 * The alerts due for a session now, given its state (which holds the alerts already in its log),
 * its context figure and the user's error baseline. Pure. Once per crossing: a context alert
 * (warning at `contextShare`, critical at `contextCriticalShare`) is due when none is current or
 * the current one is of a lower level; an error spike when the last 20 tool calls hold at least
 * `errorMinCount` error events at a rate at or above {@link spikeThreshold}, none is current, and
 * the baseline has at least `minHistory` sessions. Nothing for an ended session or with alerts off.
 *
 * @example
 * const due = dueAlerts({ state, context: summary.context, baseline, settings: config.alerts });
 */
export function dueAlerts(inputs: AlertInputs): AlertPayload[] {
  if (!inputs.settings.enabled || inputs.state.ended) return [];
  return [contextDue(inputs), errorSpikeDue(inputs)].filter((a): a is AlertPayload => a !== undefined);
}
