import type { AnySatEvent } from '../events/envelope.js';
import { type EventOwner, eventOrigin } from '../events/event-origin.js';
import { agentInvocationsProjection } from './agent-invocations-projection.js';
import { apiUsageProjection } from './api-usage-projection.js';
import { decisionsProjection } from './decisions-projection.js';
import { errorsProjection } from './errors-projection.js';
import { fileOperationsProjection } from './file-operations-projection.js';
import { type Projection, ProjectionBatch } from './projection-batch.js';
import { NO_PHASE, PROJECTION_NAMES, type ProjectionName } from './projection-names.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';
import { sessionsProjection } from './sessions-projection.js';
import { toolUsesProjection } from './tool-uses-projection.js';
import { validationsProjection } from './validations-projection.js';

/**
 * Every projection, by name, in the order they are applied.
 *
 * @example
 * PROJECTIONS.tool_uses.version // 1
 */
export const PROJECTIONS: Readonly<Record<ProjectionName, Projection>> = Object.freeze({
  sessions: sessionsProjection,
  agent_invocations: agentInvocationsProjection,
  tool_uses: toolUsesProjection,
  errors: errorsProjection,
  file_operations: fileOperationsProjection,
  decisions: decisionsProjection,
  validations: validationsProjection,
  api_usage: apiUsageProjection,
});

/** The current version of every projection. */
export function projectionVersions(): Record<ProjectionName, number> {
  return Object.fromEntries(PROJECTION_NAMES.map((name) => [name, PROJECTIONS[name].version])) as Record<
    ProjectionName,
    number
  >;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC) of an epoch-ms time. */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

/** A fresh state for a session nothing was applied of. */
export function newSessionState(session: string): SessionProjectionState {
  return { session, lastSeq: 0, phase: NO_PHASE };
}

/** Options of {@link projectEvents}. */
export interface ProjectEventsOptions {
  /** Only these projections (default: all). Used to rebuild some projections. */
  projections?: readonly ProjectionName[];
  /**
   * Whose the local events are (`config.identity`); an imported event's `meta.origin` names its own
   * owner (see `eventOwner`). Default {@link UNKNOWN_OWNER}.
   */
  identity?: EventOwner;
}

/** The owner of events when a store is given no identity. */
export const UNKNOWN_OWNER: Readonly<EventOwner> = Object.freeze({ user: 'unknown', machine: 'unknown' });

/**
 * Projects a batch of events (each session's in `seq` order) into rows, keyed rows and rollup
 * deltas, each row and rollup group with its event's owner (`options.identity` for local events). `stateOf` gives the state saved with a session's checkpoint (undefined for a new
 * session); the states are updated in place and listed in `batch.states`. Pure: no I/O.
 *
 * @example
 * const batch = projectEvents(events, (session) => states.get(session));
 * store.write(batch);
 */
export function projectEvents(
  events: Iterable<AnySatEvent>,
  stateOf: (session: string) => SessionProjectionState | undefined,
  options: ProjectEventsOptions = {},
): ProjectionBatch {
  const projections = (options.projections ?? PROJECTION_NAMES).map((name) => PROJECTIONS[name]);
  const forAll = projections.filter((p) => p.types === undefined);
  const byType = new Map<string, Projection[]>();
  for (const projection of projections)
    for (const type of projection.types ?? []) byType.set(type, [...(byType.get(type) ?? []), projection]);
  const batch = new ProjectionBatch();
  let lastSession: string | undefined;
  let state: SessionProjectionState | undefined;
  // One position object, refilled per event: projections copy its fields, never keep it.
  const local = options.identity ?? UNKNOWN_OWNER;
  const at: EventContext = {
    ts: '',
    time: 0,
    day: 0,
    phase: NO_PHASE,
    user: local.user,
    machine: local.machine,
  };
  for (const event of events) {
    if (event.session !== lastSession || !state) {
      lastSession = event.session;
      state = batch.states.get(event.session) ?? stateOf(event.session) ?? newSessionState(event.session);
      batch.states.set(event.session, state);
    }
    const time = Date.parse(event.ts);
    if (event.type === 'session_start' && event.data.phase !== undefined)
      state.phase = String(event.data.phase);
    // Times are kept as normalised ISO-8601 UTC; the writer's own format needs no conversion.
    const ts =
      event.ts.length === 24 && event.ts.charCodeAt(23) === 90 ? event.ts : new Date(time).toISOString();
    at.ts = ts;
    at.time = time;
    at.day = dayOf(time);
    at.phase = state.phase;
    const origin = event.meta?.origin === undefined ? undefined : eventOrigin(event);
    at.user = origin?.user ?? local.user;
    at.machine = origin?.machine ?? local.machine;
    if (event.type === 'phase') state.phase = String(event.data.phase);
    for (const projection of forAll) projection.project(event, at, state, batch);
    const specific = byType.get(event.type);
    if (specific) for (const projection of specific) projection.project(event, at, state, batch);
    if (event.seq > state.lastSeq) state.lastSeq = event.seq;
    batch.events++;
  }
  return batch;
}
