import type { SatConfig } from '../config/config-schema.js';
import type { SatEvent } from '../events/envelope.js';
import { type Anomaly, detectAnomalies, type SkippedMetric } from '../insights/anomalies.js';
import { collectHistory } from '../insights/metric-history.js';
import { listSessionIds } from '../log/event-reader.js';
import { sessionInfo } from '../log/sessions.js';
import { readEventsAfter } from '../session-state/log-replay.js';
import { loadSessionState } from '../snapshots/create-snapshot.js';
import type { AlertPayload } from './alert-rules.js';

/** One `alert` event of a session's log. */
export type ListedAlert = AlertPayload & {
  session: string;
  id: string;
  seq: number;
  ts: string;
  /** Whether it still holds (the latest of its kind in its session, not passed since). */
  current: boolean;
};

/** What {@link listAlerts} found. */
export interface AlertListing {
  /** Alert events, newest first. */
  alerts: ListedAlert[];
  /** Sessions and days of the window far from the user's history (`detectAnomalies`). */
  anomalies: Anomaly[];
  /** Metrics with too little history to judge. */
  skipped: SkippedMetric[];
  /** Lines that could not be read (a hand-edited alert, a torn line): reported and skipped. */
  issues: Array<{ session: string; message: string }>;
  /** The window's start (ISO), when `days` was given. */
  since?: string;
}

/** Options of {@link listAlerts}. */
export interface ListAlertsOptions {
  /** Only the last `days` days (by event time). Default: all. */
  days?: number;
  /** Only this session. */
  session?: string;
  /** Leave out the anomalies (no history is read). Default false. */
  noAnomalies?: boolean;
  /** Default now. */
  now?: Date;
}

async function sessionAlerts(
  config: SatConfig,
  session: string,
  since: string | undefined,
  issues: AlertListing['issues'],
): Promise<ListedAlert[]> {
  const found: ListedAlert[] = [];
  const onIssue = (issue: { kind: string; message: string }) => {
    if (issue.kind !== 'in-progress-tail')
      issues.push({ session, message: `${issue.kind}: ${issue.message}` });
  };
  for await (const { event } of readEventsAfter(config.paths.logs, session, { onIssue })) {
    if (event.type !== 'alert' || (since !== undefined && event.ts < since)) continue;
    const { data, id, seq, ts } = event as SatEvent<'alert'>;
    found.push({ ...data, session, id, seq, ts, current: false });
  }
  if (found.length === 0) return found;
  const { state } = await loadSessionState(config, session);
  for (const alert of found) {
    const latest = state.alerts.byKind[alert.kind];
    alert.current = latest?.seq === alert.seq && latest.current;
  }
  return found;
}

function windowDays(since: string | undefined, now: Date): string[] | undefined {
  if (since === undefined) return undefined;
  const days: string[] = [];
  for (let t = Date.parse(since.slice(0, 10)); t <= now.getTime(); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * The alert events of a window across sessions (newest first, each with whether it still holds),
 * plus the anomalies `detectAnomalies` finds for the window's sessions and days against the
 * user's history, and the metrics it could not judge for want of history. A bad line is reported
 * in `issues` and skipped; nothing is written.
 *
 * @example
 * const { alerts, anomalies, skipped } = await listAlerts(config, { days: 7 });
 */
export async function listAlerts(config: SatConfig, options: ListAlertsOptions = {}): Promise<AlertListing> {
  const now = options.now ?? new Date();
  const since =
    options.days === undefined
      ? undefined
      : new Date(now.getTime() - options.days * 86_400_000).toISOString();
  const listing: AlertListing = { alerts: [], anomalies: [], skipped: [], issues: [] };
  if (since) listing.since = since;
  const sessions = (options.session ? [options.session] : listSessionIds(config.paths.logs)).filter((s) => {
    const last = sessionInfo(config.paths.logs, s)?.lastEventAt;
    return since === undefined || last === undefined || last >= since;
  });
  for (const session of sessions)
    listing.alerts.push(...(await sessionAlerts(config, session, since, listing.issues)));
  listing.alerts.sort((a, b) => b.ts.localeCompare(a.ts) || b.seq - a.seq);
  if (options.noAnomalies) return listing;
  const history = await collectHistory(config.paths.logs, { prices: config.prices });
  const days = options.session ? [] : windowDays(since, now);
  const report = detectAnomalies(history, {
    ...(since !== undefined || options.session ? { sessions } : {}),
    ...(days ? { days } : {}),
  });
  listing.anomalies = report.anomalies;
  listing.skipped = report.skipped;
  return listing;
}
