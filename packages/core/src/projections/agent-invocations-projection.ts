import type { AnySatEvent, SatEvent } from '../events/envelope.js';
import { durationBucket } from './duration-histogram.js';
import { clip, type Projection, type ProjectionBatch } from './projection-batch.js';
import type { EventContext, InvocationRow, SessionProjectionState } from './projection-rows.js';

/** Longest invocation reason kept. */
const MAX_REASON = 200;

function startsAnInvocation(data: SatEvent<'agent_invocation'>['data']): boolean {
  if (data.status !== undefined) return data.status === 'started';
  return data.success === undefined && data.duration_ms === undefined && data.tokens === undefined;
}

function newRow(event: SatEvent<'agent_invocation'>, at: EventContext): InvocationRow {
  const d = event.data;
  const parent = d.invoked_by ?? (event.agent !== d.agent ? event.agent : null);
  return {
    id: event.id,
    session: event.session,
    seq: event.seq,
    agent: d.agent,
    parentAgent: parent,
    agentId: d.agent_id ?? null,
    toolUseId: d.tool_use_id ?? null,
    reason: clip(d.reason, MAX_REASON),
    startedAt: at.ts,
    endedAt: null,
    day: at.day,
    phase: at.phase,
    status: 'started',
    success: null,
    durationMs: null,
    model: d.model ?? null,
    tokens: d.tokens ?? null,
    user: at.user,
    machine: at.machine,
  };
}

/**
 * Agent invocations: a `started` event opens one (keyed by its tool_use_id, else agent_id), the
 * matching `completed` / `failed` event closes it; an event that reports an outcome with no open
 * start is a whole invocation by itself. Counted per day x phase x agent type at its start.
 */
export const agentInvocationsProjection: Projection = {
  name: 'agent_invocations',
  // v2: rows and rollups carry their owner (user, machine).
  version: 2,
  description: 'agent invocations: type, parent agent, start, duration, tokens, success',
  types: ['agent_invocation'],
  project(event: AnySatEvent, at: EventContext, state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'agent_invocation') return;
    state.agent_invocations ??= { open: {} };
    const slice = state.agent_invocations;
    const d = event.data;
    const key = d.tool_use_id ?? d.agent_id;
    if (startsAnInvocation(d)) {
      const row = newRow(event, at);
      if (key !== undefined) slice.open[key] = row;
      out.invocations.set(row.id, row);
      out.rollups.entry('agent_day', row.day, row.phase, row.agent, row.user, row.machine).invocations++;
      return;
    }
    const open = key !== undefined ? slice.open[key] : undefined;
    let row: InvocationRow;
    if (open) {
      row = open;
      delete slice.open[key!];
    } else {
      row = newRow(event, at);
      out.rollups.entry('agent_day', row.day, row.phase, row.agent, row.user, row.machine).invocations++;
    }
    const status = d.status ?? (d.success === false ? 'failed' : 'completed');
    row.status = status === 'started' ? 'completed' : status;
    row.endedAt = at.ts;
    row.success = d.success ?? (d.status === 'failed' ? false : d.status === 'completed' ? true : null);
    row.durationMs = d.duration_ms ?? (open ? Math.max(0, at.time - Date.parse(open.startedAt)) : null);
    if (d.agent_id) row.agentId = d.agent_id;
    if (d.model) row.model = d.model;
    if (d.tokens) row.tokens = d.tokens;
    if (!row.reason && d.reason) row.reason = clip(d.reason, MAX_REASON);
    const m = out.rollups.entry('agent_day', row.day, row.phase, row.agent, row.user, row.machine);
    m.completed++;
    if (row.success !== null) {
      m.known_success++;
      if (row.success) m.successes++;
    }
    if (row.durationMs !== null) {
      const ms = row.durationMs;
      m.dur_count++;
      m.dur_sum += ms;
      if (m.dur_min === null || ms < m.dur_min) m.dur_min = ms;
      if (m.dur_max === null || ms > m.dur_max) m.dur_max = ms;
      const bucket = durationBucket(ms);
      m.dur_hist.set(bucket, (m.dur_hist.get(bucket) ?? 0) + 1);
    }
    out.invocations.set(row.id, row);
  },
};
