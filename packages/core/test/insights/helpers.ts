import type { AnySatEvent, NewEvent } from '../../src/events/envelope.js';
import { type PlantedHistory, type PlantedHistoryOptions, plantedHistory } from '../../src/fixtures/index.js';
import { detectAnomalies, type MetricHistory } from '../../src/insights/index.js';
import { digestSession, type SessionDigest } from '../../src/insights/session-digest.js';

/** The events of a planted session as the log would hold them (seq, id, agent, v). */
export function asLogged(events: Iterable<NewEvent>): AnySatEvent[] {
  let seq = 0;
  return [...events].map(
    (event) =>
      ({
        ...event,
        id: `${event.session}-${++seq}`,
        seq,
        agent: event.agent ?? 'main',
        v: 1,
        ts: typeof event.ts === 'string' ? event.ts : (event.ts ?? new Date(0)).toISOString(),
      }) as AnySatEvent,
  );
}

/** A planted history and the digests of its sessions, oldest first. */
export async function plantedDigests(
  options: PlantedHistoryOptions,
): Promise<{ history: PlantedHistory; digests: SessionDigest[] }> {
  const history = plantedHistory(options);
  const digests: SessionDigest[] = [];
  for (const { session } of history.sessions) {
    const digest = await digestSession(asLogged(history.events(session)));
    if (digest) digests.push(digest);
  }
  return { history, digests };
}

const KIND_METRICS: Record<string, (metric: string) => boolean> = {
  tokens: (m) => m === 'tokens' || m === 'cost',
  slowdown: (m) => m.startsWith('tool:Bash:'),
  errorRate: (m) => m === 'errorRate' || m === 'errors',
  longSession: (m) => m === 'durationMs',
  contextFill: (m) => m === 'contextTokensPerMinute',
};

/** Recall of the planted anomalies and the false-positive rate over the (point, metric) pairs judged. */
export function anomalyQuality(
  history: PlantedHistory,
  metrics: MetricHistory,
  minHistory = 8,
): { recall: number; falsePositiveRate: number; falsePositives: string[] } {
  const { anomalies } = detectAnomalies(metrics, { minHistory });
  const planted = history.truth.anomalies;
  const isPlanted = (key: string, metric: string) =>
    planted.some((p) => (p.session === key || p.day === key) && KIND_METRICS[p.kind]!(metric));
  const found = planted.filter((p) =>
    anomalies.some((a) => a.session === p.session && KIND_METRICS[p.kind]!(a.metric)),
  );
  const falsePositives = anomalies
    .filter((a) => !isPlanted((a.session ?? a.day)!, a.metric))
    .map(
      (a) =>
        `${a.session ?? a.day} ${a.metric} ${a.value} (median ${a.baseline.median}, score ${a.score.toFixed(1)})`,
    );
  let judged = 0;
  for (const series of [metrics.sessions, metrics.days])
    for (const [metric, points] of Object.entries(series))
      for (const point of points.slice(minHistory)) if (!isPlanted(point.key, metric)) judged++;
  return {
    recall: planted.length === 0 ? 1 : found.length / planted.length,
    falsePositiveRate: judged === 0 ? 0 : falsePositives.length / judged,
    falsePositives,
  };
}

/** Recall of the planted recurring patterns and the share of reported ones not planted. */
export function recurringQuality(
  history: PlantedHistory,
  reported: ReadonlyArray<{ errorType: string; sessions: string[] }>,
): { recall: number; notPlanted: number; unmatched: string[] } {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((s) => b.includes(s));
  const planted = history.truth.recurring;
  const found = planted.filter((p) =>
    reported.some((r) => r.errorType === p.errorType && same(r.sessions, p.sessions)),
  );
  const extra = reported.filter(
    (r) => !planted.some((p) => p.errorType === r.errorType && same(r.sessions, p.sessions)),
  );
  return {
    recall: planted.length === 0 ? 1 : found.length / planted.length,
    notPlanted: reported.length === 0 ? 0 : extra.length / reported.length,
    unmatched: extra.map((r) => `${r.errorType} in ${r.sessions.join(',')}`),
  };
}
