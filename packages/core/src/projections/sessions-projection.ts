import type { AnySatEvent } from '../events/envelope.js';
import type { Projection, ProjectionBatch } from './projection-batch.js';
import type { EventContext, SessionProjectionState, SessionRow } from './projection-rows.js';

function newRow(session: string, at: EventContext): SessionRow {
  return {
    session,
    firstEventAt: at.ts,
    lastEventAt: at.ts,
    startedAt: null,
    endedAt: null,
    endReason: null,
    phase: at.phase,
    phases: at.phase === '' ? [] : [at.phase],
    client: null,
    model: null,
    cwd: null,
    gitBranch: null,
    events: 0,
    lastSeq: 0,
    eventCounts: {},
    toolFailures: 0,
    errorsFixed: 0,
    validationsFailed: 0,
    user: at.user,
    machine: at.machine,
  };
}

/**
 * One row per session: first and last event, start and end, the current phase and the phases
 * it went through, where it ran, and counts of its events by type.
 */
export const sessionsProjection: Projection = {
  name: 'sessions',
  // v2: the row carries its owner (that of the session's first event).
  version: 2,
  description: 'one row per session: start, end, phase, totals',
  project(event: AnySatEvent, at: EventContext, state: SessionProjectionState, out: ProjectionBatch): void {
    state.sessions ??= newRow(event.session, at);
    const row = state.sessions;
    // Times are normalised ISO-8601 UTC strings, so they compare as text.
    if (at.ts < row.firstEventAt) row.firstEventAt = at.ts;
    if (at.ts > row.lastEventAt) row.lastEventAt = at.ts;
    row.events++;
    if (event.seq > row.lastSeq) row.lastSeq = event.seq;
    row.eventCounts[event.type] = (row.eventCounts[event.type] ?? 0) + 1;
    // The phase is the session's after this event (a phase event sets it for what follows).
    if (row.phase !== state.phase) {
      row.phase = state.phase;
      if (state.phase !== '' && !row.phases.includes(state.phase)) row.phases.push(state.phase);
    }
    switch (event.type) {
      case 'session_start': {
        if (row.startedAt === null || at.ts < row.startedAt) row.startedAt = at.ts;
        const d = event.data;
        if (d.client) row.client = d.client;
        if (d.model) row.model = d.model;
        if (d.cwd !== undefined) row.cwd = d.cwd;
        if (d.git_branch !== undefined) row.gitBranch = d.git_branch;
        break;
      }
      case 'session_end':
        if (row.endedAt === null || at.ts >= row.endedAt) {
          row.endedAt = at.ts;
          row.endReason = event.data.reason ?? null;
        }
        break;
      case 'tool_usage':
        if (!event.data.success) row.toolFailures++;
        break;
      case 'error':
        if (event.data.fix_successful === true) row.errorsFixed++;
        break;
      case 'validation':
        if (event.data.result !== 'pass') row.validationsFailed++;
        break;
    }
    out.sessions.set(event.session, row);
  },
};
