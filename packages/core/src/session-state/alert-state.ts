import type { SatEvent } from '../events/envelope.js';
import { type AlertState, type SessionState, STATE_LIMITS } from './session-state.js';

type Alerts = SessionState['alerts'];

/** The alert kind of a context that is nearly full. */
export const CONTEXT_ALERT = 'context';
/** The alert kind of an error spike (the recent error rate far above the user's usual). */
export const ERROR_SPIKE_ALERT = 'error_spike';

/**
 * Error events per tool call over the error-spike window (the last
 * `STATE_LIMITS.alertWindowCalls` tool calls), or undefined while the session has fewer calls.
 *
 * @example
 * windowErrorRate(state.alerts.window); // 0.35: 7 error events over the last 20 tool calls
 */
export function windowErrorRate(window: Alerts['window']): number | undefined {
  if (window.calls.length < STATE_LIMITS.alertWindowCalls) return undefined;
  return window.errors.length / window.calls.length;
}

function settle(alerts: Alerts, kind: string, passed: (alert: AlertState) => boolean): Alerts {
  const alert = alerts.byKind[kind];
  if (!alert?.current || !passed(alert)) return alerts;
  return { ...alerts, byKind: { ...alerts.byKind, [kind]: { ...alert, current: false } } };
}

function spikePassed(window: Alerts['window']): (alert: AlertState) => boolean {
  return (alert) => {
    const rate = windowErrorRate(window);
    return alert.threshold !== undefined && rate !== undefined && rate < alert.threshold;
  };
}

/** Folds an `alert` event: it becomes the latest of its kind, current. */
export function alertEvent(s: SessionState, event: SatEvent<'alert'>): void {
  const alert: AlertState = { ...event.data, seq: event.seq, ts: event.ts, current: true };
  if (event.data.kind === CONTEXT_ALERT && s.context) alert.contextTokens = s.context.tokens;
  s.alerts = { ...s.alerts, count: s.alerts.count + 1, byKind: { ...s.alerts.byKind, [alert.kind]: alert } };
}

/** A tool call enters the error-spike window (the oldest leaves it, with its errors). */
export function alertWindowCall(s: SessionState, seq: number): void {
  const calls = [...s.alerts.window.calls, seq].slice(-STATE_LIMITS.alertWindowCalls);
  const errors = s.alerts.window.errors.filter((e) => e > calls[0]!);
  const window = { calls, errors };
  s.alerts = settle({ ...s.alerts, window }, ERROR_SPIKE_ALERT, spikePassed(window));
}

/** An error event enters the error-spike window. */
export function alertWindowError(s: SessionState, seq: number): void {
  if (s.alerts.window.calls.length === 0) return;
  const window = { calls: s.alerts.window.calls, errors: [...s.alerts.window.errors, seq] };
  s.alerts = { ...s.alerts, window };
}

/**
 * A new main-context reading: a context alert passes when the reading is below the alert's
 * threshold share (in the alert's own terms: `contextTokens * threshold / value`).
 */
export function alertContextReading(s: SessionState, tokens: number): void {
  s.alerts = settle(s.alerts, CONTEXT_ALERT, (alert) => {
    if (alert.contextTokens === undefined || !alert.value || alert.threshold === undefined) return false;
    return tokens < (alert.contextTokens * alert.threshold) / alert.value;
  });
}

/** A compaction: the context alert passes. */
export function alertCompaction(s: SessionState): void {
  s.alerts = settle(s.alerts, CONTEXT_ALERT, () => true);
}

/**
 * The session's alerts that still hold, most severe first (critical, warning, info), then newest.
 *
 * @example
 * for (const a of currentAlerts(state)) console.log(a.level, a.message);
 */
export function currentAlerts(state: SessionState): AlertState[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return Object.values(state.alerts?.byKind ?? {})
    .filter((a) => a.current)
    .sort((a, b) => rank[a.level] - rank[b.level] || b.seq - a.seq);
}
