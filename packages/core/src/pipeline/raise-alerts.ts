import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { digestCacheDir, readSessionDigests } from '../insights/digest-cache.js';
import { sessionMetrics } from '../insights/metric-history.js';
import { meanAbsoluteDeviation, median, medianAbsoluteDeviation } from '../insights/robust-stats.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { listSessionIds } from '../log/event-reader.js';
import { appendLifecycleEvent } from '../session-state/lifecycle-events.js';
import { summarizeSessionState } from '../session-state/session-summary.js';
import { loadSessionState } from '../snapshots/create-snapshot.js';
import { type AlertPayload, dueAlerts, type ErrorBaseline, spikeCandidate } from './alert-rules.js';

/** Past sessions the error baseline is made of, at most (the newest). */
export const BASELINE_SESSIONS = 60;
/** How long a computed error baseline is reused while the set of sessions is unchanged. */
const BASELINE_TTL_MS = 60 * 60 * 1000;

/** What {@link raiseAlerts} did for one session. */
export interface RaiseAlertsResult {
  session: string;
  /** The alerts appended to the session's log, with their event ids. */
  raised: Array<AlertPayload & { id: string }>;
  /** Due alerts that could not be written (the session ended or its log is closed), and why. */
  skipped: Array<{ kind: string; reason: string }>;
  /** Why no error spike could be judged, when the window looked like one. */
  baselineNote?: string;
  warnings: string[];
}

interface BaselineCache {
  v: 1;
  at: number;
  sessions: string[];
  baseline?: ErrorBaseline;
}

function cacheFile(config: SatConfig): string {
  return join(config.paths.state, 'alerts', 'error-baseline.json');
}

function readCache(config: SatConfig, sessions: readonly string[], now: number): BaselineCache | undefined {
  try {
    const cache = JSON.parse(readFileSync(cacheFile(config), 'utf8')) as BaselineCache;
    const same = cache.v === 1 && cache.sessions.join('\n') === sessions.join('\n');
    return same && now - cache.at < BASELINE_TTL_MS ? cache : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user's error rate (error events per tool call, as insights' `errorRate`) over the newest
 * {@link BASELINE_SESSIONS} sessions other than `session`: median, MAD, mean absolute deviation.
 * Undefined when no past session has a tool call. Cached in `<state>/alerts/error-baseline.json`
 * for an hour while the set of sessions stays the same.
 *
 * @example
 * const baseline = await errorBaseline(config, 's42'); // { median: 0.04, mad: 0.02, meanAbsDev: 0.03, n: 31 }
 */
export async function errorBaseline(
  config: SatConfig,
  session: string,
  now = Date.now(),
): Promise<ErrorBaseline | undefined> {
  const sessions = listSessionIds(config.paths.logs)
    .filter((s) => s !== session)
    .sort();
  const cached = readCache(config, sessions, now);
  if (cached) return cached.baseline;
  const digests = (
    await readSessionDigests(config.paths.logs, { sessions, cacheDir: digestCacheDir(config) })
  )
    .filter((d) => d.toolCalls > 0)
    .slice(-BASELINE_SESSIONS);
  const rates = digests.map((d) => new Map(sessionMetrics(d, { prices: config.prices })).get('errorRate')!);
  let baseline: ErrorBaseline | undefined;
  if (rates.length > 0) {
    const center = median(rates);
    baseline = {
      median: center,
      mad: medianAbsoluteDeviation(rates, center),
      meanAbsDev: meanAbsoluteDeviation(rates, center),
      n: rates.length,
    };
  }
  try {
    mkdirSync(join(config.paths.state, 'alerts'), { recursive: true, mode: 0o700 });
    const cache: BaselineCache = { v: 1, at: now, sessions, ...(baseline ? { baseline } : {}) };
    writeFileAtomic(cacheFile(config), `${JSON.stringify(cache)}\n`);
  } catch {
    // The cache only saves time; the baseline is computed again next time.
  }
  return baseline;
}

/**
 * Raises the alerts due for a session ({@link dueAlerts}) by appending `alert` events to its log,
 * once per crossing: what is already in the log decides (re-running on the same events raises
 * nothing new). The error baseline is read only when the last tool calls look like a spike.
 * Run by the capture pipeline after each ingest, never by the hook itself.
 *
 * @example
 * const { raised } = await raiseAlerts(config, session);
 * for (const a of raised) console.log(a.level, a.message);
 */
export async function raiseAlerts(config: SatConfig, session: string): Promise<RaiseAlertsResult> {
  const result: RaiseAlertsResult = { session, raised: [], skipped: [], warnings: [] };
  if (!config.alerts.enabled) return result;
  const { state, warnings } = await loadSessionState(config, session);
  result.warnings.push(...warnings);
  if (state.ended || state.events === 0) return result;
  const context = summarizeSessionState(state, config.prices).context;
  let baseline: ErrorBaseline | undefined;
  if (spikeCandidate(state, config.alerts)) {
    baseline = await errorBaseline(config, session);
    if (!baseline || baseline.n < config.alerts.minHistory)
      result.baselineNote = `too little history for an error-rate baseline: ${baseline?.n ?? 0} past session(s) with tool calls, ${config.alerts.minHistory} needed`;
  }
  const due = dueAlerts({
    state,
    ...(context ? { context } : {}),
    ...(baseline ? { baseline } : {}),
    settings: config.alerts,
  });
  for (const alert of due) {
    const written = await appendLifecycleEvent(config, session, state.ended, 'alert', alert);
    if (written.id) result.raised.push({ ...alert, id: written.id });
    else result.skipped.push({ kind: alert.kind, reason: written.skipped ?? 'not written' });
  }
  return result;
}
