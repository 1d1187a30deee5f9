import type { AnySatEvent } from '../events/envelope.js';
import type { EventOwner } from '../events/event-origin.js';
import { readSessionEvents } from '../log/event-reader.js';
import { listSessions } from '../log/sessions.js';
import type { RebuildResult } from '../projections/analytics-store.js';
import { projectEvents } from '../projections/project-events.js';
import { PROJECTION_NAMES, type ProjectionName } from '../projections/projection-names.js';
import type { SessionProjectionState } from '../projections/projection-rows.js';
import type { AnalyticsDriver } from './analytics-driver.js';
import { ingestLogs } from './store-ingest.js';
import { type ProjectionVersions, recordRebuild } from './store-meta.js';

/** What a rebuild needs to know of its store. */
export interface RebuildContext {
  driver: AnalyticsDriver;
  logsDir: string;
  batchSize: number;
  versions: ProjectionVersions;
  /** The owner of events without `meta.origin`. */
  identity: EventOwner | undefined;
}

/**
 * Drops every projection, the applied ids and the checkpoints and ingests the whole log, in one
 * transaction (readers keep the old figures until it commits).
 */
export async function rebuildAll(ctx: RebuildContext): Promise<RebuildResult> {
  const { driver } = ctx;
  const started = performance.now();
  const result = await driver.transaction(async () => {
    await driver.clearProjections(PROJECTION_NAMES);
    await driver.clearApplied();
    const ingested = await ingestLogs(
      driver,
      ctx.logsDir,
      { batchSize: ctx.batchSize, identity: ctx.identity },
      true,
    );
    await recordRebuild(driver, ctx.versions, 'requested', PROJECTION_NAMES);
    return ingested;
  });
  await driver.settle?.();
  return {
    projections: [...PROJECTION_NAMES],
    events: result.applied,
    sessions: result.sessions,
    ms: performance.now() - started,
  };
}

/** Re-projects one session's logged events up to `lastSeq` for some projections; returns their states and the count. */
async function replaySession(
  ctx: RebuildContext,
  session: string,
  lastSeq: number,
  projections: readonly ProjectionName[],
): Promise<{ states: Map<string, SessionProjectionState>; events: number }> {
  const states = new Map<string, SessionProjectionState>();
  let events = 0;
  let batch: AnySatEvent[] = [];
  const flush = async () => {
    const projected = projectEvents(batch, (s) => states.get(s), { projections, identity: ctx.identity });
    for (const [s, state] of projected.states) states.set(s, state);
    await ctx.driver.writeRows(projected);
    events += batch.length;
    batch = [];
  };
  for await (const event of readSessionEvents(ctx.logsDir, session)) {
    if (event.seq > lastSeq) break;
    batch.push(event);
    if (batch.length >= ctx.batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return { states, events };
}

/** The saved state with the rebuilt projections' parts replaced by the fresh ones (or removed). */
function mergeState(
  saved: SessionProjectionState,
  fresh: SessionProjectionState | undefined,
  projections: readonly ProjectionName[],
): SessionProjectionState {
  const merged = { ...saved } as unknown as Record<string, unknown>;
  const parts = fresh as unknown as Record<string, unknown> | undefined;
  for (const name of projections) {
    if (parts?.[name] !== undefined) merged[name] = parts[name];
    else delete merged[name];
  }
  return merged as unknown as SessionProjectionState;
}

/**
 * Rebuilds only `projections`, from the log up to each session's checkpoint, in one transaction;
 * the other projections and the applied ids stay as they are.
 */
export async function rebuildSome(
  ctx: RebuildContext,
  projections: ProjectionName[],
  reason: string,
): Promise<RebuildResult> {
  const { driver } = ctx;
  const started = performance.now();
  let events = 0;
  let sessions = 0;
  await driver.transaction(async () => {
    await driver.clearProjections(projections);
    const logged = new Set((await listSessions(ctx.logsDir)).map((info) => info.session));
    for (const [session, lastSeq] of await driver.checkpoints()) {
      const replayed = logged.has(session)
        ? await replaySession(ctx, session, lastSeq, projections)
        : { states: new Map<string, SessionProjectionState>(), events: 0 };
      events += replayed.events;
      const saved = (await driver.loadStates([session])).get(session);
      if (!saved) continue;
      await driver.saveStates([mergeState(saved, replayed.states.get(session), projections)]);
      sessions++;
    }
    await recordRebuild(driver, ctx.versions, reason, projections);
  });
  await driver.settle?.();
  return { projections, events, sessions, ms: performance.now() - started };
}
