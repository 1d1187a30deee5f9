import type { AnySatEvent } from '../events/envelope.js';
import type { EventOwner } from '../events/event-origin.js';
import { readSessionEvents } from '../log/event-reader.js';
import { listSessions, type SessionInfo } from '../log/sessions.js';
import type { ApplyResult, IngestResult } from '../projections/analytics-store.js';
import { projectEvents } from '../projections/project-events.js';
import type { AnalyticsDriver } from './analytics-driver.js';
import type { IngestLogOptions } from './ingest-progress.js';

/** From this many new events on, an ingest runs in the driver's `bulk` mode. */
export const BULK_EVENTS = 50_000;

/** How events are applied: the batch size, and whose the local events are. */
export interface ApplyOptions {
  batchSize: number;
  /** The owner of events without `meta.origin` (see `ProjectEventsOptions.identity`). */
  identity?: EventOwner;
}

/** Running totals of an apply or an ingest. */
export interface ApplyTotals {
  applied: number;
  duplicates: number;
  sessions: Set<string>;
}

/** Fresh, empty totals. */
export function emptyTotals(): ApplyTotals {
  return { applied: 0, duplicates: 0, sessions: new Set() };
}

/** The totals as `apply` reports them. */
export function applyResult(totals: ApplyTotals): ApplyResult {
  return { applied: totals.applied, duplicates: totals.duplicates, sessions: totals.sessions.size };
}

/**
 * Applies one batch in one transaction: records the ids, projects the new events from their
 * sessions' saved states, writes the rows, then the states with the checkpoints.
 */
export async function applyBatch(
  driver: AnalyticsDriver,
  events: readonly AnySatEvent[],
  totals: ApplyTotals,
  identity?: EventOwner,
): Promise<void> {
  await driver.transaction(async () => {
    const fresh = await driver.markApplied(events);
    totals.duplicates += events.length - fresh.length;
    if (fresh.length === 0) return;
    const states = await driver.loadStates([...new Set(fresh.map((event) => event.session))]);
    const batch = projectEvents(fresh, (session) => states.get(session), { identity });
    await driver.writeRows(batch);
    await driver.saveStates([...batch.states.values()]);
    totals.applied += fresh.length;
    for (const session of batch.states.keys()) totals.sessions.add(session);
  });
}

/** Cuts a stream of events into batches of `batchSize` and applies each; `afterBatch` runs after each. */
export async function applyStream(
  driver: AnalyticsDriver,
  events: Iterable<AnySatEvent> | AsyncIterable<AnySatEvent>,
  options: ApplyOptions,
  totals: ApplyTotals,
  afterBatch: () => void = () => undefined,
): Promise<void> {
  const { batchSize, identity } = options;
  let batch: AnySatEvent[] = [];
  for await (const event of events as AsyncIterable<AnySatEvent>) {
    batch.push(event);
    if (batch.length >= batchSize) {
      await applyBatch(driver, batch, totals, identity);
      batch = [];
      afterBatch();
    }
  }
  if (batch.length > 0) {
    await applyBatch(driver, batch, totals, identity);
    afterBatch();
  }
}

/** A session to read from the event after its checkpoint. */
interface PendingSession {
  session: string;
  last: number;
}

/** Which sessions have something new since their checkpoint, and about how many events. */
export function planIngest(
  sessions: readonly SessionInfo[],
  done: ReadonlyMap<string, number>,
): { pending: PendingSession[]; unchanged: number; expected: number } {
  const pending: PendingSession[] = [];
  let unchanged = 0;
  let expected = 0;
  for (const info of sessions) {
    const last = done.get(info.session) ?? 0;
    // A compressed log whose metadata is missing (an interrupted close) does not know its count.
    const countUnknown = info.status === 'closed' && info.events === 0;
    if (info.events <= last && !countUnknown) unchanged++;
    else {
      pending.push({ session: info.session, last });
      expected += info.events - last;
    }
  }
  return { pending, unchanged, expected };
}

async function* newEvents(
  logsDir: string,
  pending: readonly PendingSession[],
  onIssue: () => void,
): AsyncGenerator<AnySatEvent> {
  for (const { session, last } of pending)
    yield* readSessionEvents(logsDir, session, { fromSeq: last + 1, onIssue });
}

/**
 * Applies what is new in the session logs of `logsDir` (each session from after its checkpoint).
 * `inTransaction`: called inside a rebuild's transaction, so the driver's bulk mode is not used.
 * `options.onProgress` hears of every batch written.
 */
export async function ingestLogs(
  driver: AnalyticsDriver,
  logsDir: string,
  apply: ApplyOptions,
  inTransaction: boolean,
  options: IngestLogOptions = {},
): Promise<IngestResult> {
  const totals = emptyTotals();
  let issues = 0;
  const plan = planIngest(await listSessions(logsDir), await driver.checkpoints());
  const { onProgress } = options;
  const report = () => {
    const done = totals.applied + totals.duplicates;
    onProgress?.({ done, expected: plan.expected, applied: totals.applied, duplicates: totals.duplicates });
  };
  const run = () =>
    applyStream(
      driver,
      newEvents(logsDir, plan.pending, () => issues++),
      apply,
      totals,
      report,
    );
  if (driver.bulk && !inTransaction && plan.expected >= BULK_EVENTS) await driver.bulk(run);
  else await run();
  return { ...applyResult(totals), unchanged: plan.unchanged, issues };
}
