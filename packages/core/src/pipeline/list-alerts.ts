import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import type { SatEvent } from '../events/envelope.js';
import { isObject } from '../guards.js';
import {
  type Anomaly,
  type AnomalyReport,
  type DetectAnomaliesOptions,
  detectAnomalies,
  type SkippedMetric,
} from '../insights/anomalies.js';
import { readSessionDigests } from '../insights/digest-cache.js';
import { collectHistory } from '../insights/metric-history.js';
import { digestSession, type SessionDigest } from '../insights/session-digest.js';
import { listSessionIds, readSessionEvents } from '../log/event-reader.js';
import { LogMemo, LogsVersion } from '../log/log-memo.js';
import { loadMemoEntries, saveMemoEntries } from '../log/saved-log-memo.js';
import { SessionInfoMemo } from '../log/session-info-memo.js';
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
  /** What a long-lived caller (`sat serve`) keeps between listings, so unchanged logs are not read again. */
  memo?: AlertMemo;
}

/** The alerts and read issues of one session's log, all of them (the window is applied after). */
interface SessionAlertScan {
  alerts: ListedAlert[];
  issues: AlertListing['issues'];
}

/** Options of {@link AlertMemo}. */
export interface AlertMemoOptions {
  /**
   * The digest cache folder (`digestCacheDir(config)`): a digest the memo lacks is read from it
   * when current, else from the log and written there, as the pipeline does. Default: none (every
   * digest is read from its log once).
   */
  digestCacheDir?: string;
  /**
   * A file to load the alert scans from and {@link AlertMemo.save} them to
   * (`alertScansFile(config)`), so the next run reads only the logs that changed. Default: memory only.
   */
  file?: string;
  /** How long after a change of the log folder it is looked at log by log (see `LogsVersion`). Default 2000 ms. */
  settleMs?: number;
}

/**
 * What {@link listAlerts} reads from each log (its alert events, and its digest for the
 * anomalies), remembered per session while the log is unchanged (see {@link LogMemo}), and the
 * last anomaly report with what it was computed from: a server that lists alerts again reads only
 * the logs that changed. Listings with and without it are equal. One memo serves one data root
 * (and one price table).
 *
 * @example
 * const memo = new AlertMemo(config.paths.logs, { digestCacheDir: digestCacheDir(config) });
 * await listAlerts(config, { days: 7, memo });
 */
export class AlertMemo {
  /** @internal */
  readonly scans: LogMemo<SessionAlertScan>;
  /** @internal */
  readonly digests: LogMemo<SessionDigest | null>;
  /** @internal */
  readonly infos: SessionInfoMemo;
  /** @internal */
  readonly version: LogsVersion;
  private saved: number;
  /** @internal */
  anomalies: { key: string; report: AnomalyReport } | undefined;

  constructor(
    readonly logsDir: string,
    readonly options: AlertMemoOptions = {},
  ) {
    const entries = options.file
      ? loadMemoEntries(options.file, { version: ALERT_SCANS_VERSION }, isScan)
      : [];
    this.scans = new LogMemo(logsDir, { entries });
    this.saved = this.scans.generation;
    this.digests = new LogMemo(logsDir);
    this.infos = new SessionInfoMemo(logsDir);
    this.version = new LogsVersion(
      logsDir,
      options.settleMs === undefined ? {} : { settleMs: options.settleMs },
    );
  }

  /** Writes the alert scans to `options.file` when they changed since the last load or save; returns why it could not (never throws). */
  save(): string | undefined {
    if (!this.options.file || this.scans.generation === this.saved) return undefined;
    this.scans.keepOnly(listSessionIds(this.logsDir));
    const warning = saveMemoEntries(
      this.options.file,
      { version: ALERT_SCANS_VERSION },
      this.scans.snapshot(),
    );
    if (warning === undefined) this.saved = this.scans.generation;
    return warning;
  }
}

/** Version of the alert scans file's format. */
const ALERT_SCANS_VERSION = 1;

function isScan(value: unknown): value is SessionAlertScan {
  return isObject(value) && Array.isArray(value.alerts) && Array.isArray(value.issues);
}

/**
 * Where a data root keeps the alert scans of `sat alerts` and `sat serve`: `<paths.state>/alert-scans.json`.
 *
 * @example
 * new AlertMemo(config.paths.logs, { file: alertScansFile(config) });
 */
export function alertScansFile(config: { paths: { state: string } }): string {
  return join(config.paths.state, 'alert-scans.json');
}

async function scanSession(config: SatConfig, session: string): Promise<SessionAlertScan> {
  const scan: SessionAlertScan = { alerts: [], issues: [] };
  const onIssue = (issue: { kind: string; message: string }) => {
    if (issue.kind !== 'in-progress-tail')
      scan.issues.push({ session, message: `${issue.kind}: ${issue.message}` });
  };
  for await (const { event } of readEventsAfter(config.paths.logs, session, { onIssue })) {
    if (event.type !== 'alert') continue;
    const { data, id, seq, ts } = event as SatEvent<'alert'>;
    scan.alerts.push({ ...data, session, id, seq, ts, current: false });
  }
  if (scan.alerts.length === 0) return scan;
  const { state } = await loadSessionState(config, session);
  for (const alert of scan.alerts) {
    const latest = state.alerts.byKind[alert.kind];
    alert.current = latest?.seq === alert.seq && latest.current;
  }
  return scan;
}

async function sessionAlerts(
  config: SatConfig,
  session: string,
  since: string | undefined,
  listing: AlertListing,
  memo: AlertMemo | undefined,
  seen: string | undefined,
): Promise<void> {
  const scan = memo
    ? await memo.scans.get(session, () => scanSession(config, session), seen)
    : await scanSession(config, session);
  listing.issues.push(...scan.issues);
  for (const alert of scan.alerts)
    if (since === undefined || alert.ts >= since) listing.alerts.push({ ...alert });
}

async function memoDigest(memo: AlertMemo, session: string): Promise<SessionDigest | null> {
  const { logsDir } = memo;
  const cacheDir = memo.options.digestCacheDir;
  if (cacheDir === undefined) return (await digestSession(readSessionEvents(logsDir, session))) ?? null;
  return (await readSessionDigests(logsDir, { cacheDir, sessions: [session] }))[0] ?? null;
}

async function readDigests(
  logsDir: string,
  memo: AlertMemo | undefined,
  seen: string | undefined,
): Promise<SessionDigest[]> {
  if (!memo) return readSessionDigests(logsDir);
  const out: SessionDigest[] = [];
  for (const session of listSessionIds(logsDir)) {
    const digest = await memo.digests.get(session, () => memoDigest(memo, session), seen);
    if (digest) out.push(digest);
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || a.session.localeCompare(b.session));
}

/** The sessions to list: the one asked for, or those with an event since `since` (all without it). */
function windowSessions(
  logsDir: string,
  options: ListAlertsOptions,
  since: string | undefined,
  seen: string | undefined,
): string[] {
  const ids = options.session ? [options.session] : listSessionIds(logsDir);
  if (since === undefined) return ids;
  const infos = options.memo ? new Map(options.memo.infos.list(seen).map((i) => [i.session, i])) : undefined;
  return ids.filter((s) => {
    const last = (infos ? infos.get(s) : sessionInfo(logsDir, s))?.lastEventAt;
    return last === undefined || last >= since;
  });
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
 * in `issues` and skipped; nothing is written to the logs (with a memo, only its caches are).
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
  const seen = options.memo?.version.current();
  const sessions = windowSessions(config.paths.logs, options, since, seen);
  for (const session of sessions) await sessionAlerts(config, session, since, listing, options.memo, seen);
  listing.alerts.sort((a, b) => b.ts.localeCompare(a.ts) || b.seq - a.seq);
  if (options.noAnomalies) return listing;
  const days = options.session ? [] : windowDays(since, now);
  const report = await anomalyReport(config, options.memo, seen, {
    ...(since !== undefined || options.session ? { sessions } : {}),
    ...(days ? { days } : {}),
  });
  listing.anomalies = report.anomalies;
  listing.skipped = report.skipped;
  return listing;
}

/** `detectAnomalies` over every session's digest; with a memo, the last report while its inputs are the same. */
async function anomalyReport(
  config: SatConfig,
  memo: AlertMemo | undefined,
  seen: string | undefined,
  scope: Pick<DetectAnomaliesOptions, 'sessions' | 'days'>,
): Promise<AnomalyReport> {
  const digests = await readDigests(config.paths.logs, memo, seen);
  const key = memo
    ? JSON.stringify([memo.digests.generation, digests.map((d) => d.session), scope])
    : undefined;
  if (memo?.anomalies && memo.anomalies.key === key) return memo.anomalies.report;
  const report = detectAnomalies(await collectHistory(digests, { prices: config.prices }), scope);
  if (memo && key !== undefined) memo.anomalies = { key, report };
  return report;
}
