import type { AnySatEvent } from '../events/envelope.js';
import { durationBucket } from './duration-histogram.js';
import { summarizeParameters } from './parameter-summary.js';
import { clip, type Projection, type ProjectionBatch } from './projection-batch.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';

/** Longest tool error kept on a row. */
const MAX_TOOL_ERROR = 300;

/**
 * One row per tool call (tool, agent, duration, success, a parameter summary), counted per
 * day x phase x agent x tool.
 */
export const toolUsesProjection: Projection = {
  name: 'tool_uses',
  // v2: rows and rollups carry their owner (user, machine).
  version: 2,
  description: 'tool calls: tool, agent, duration, success, parameter summary',
  types: ['tool_usage'],
  project(event: AnySatEvent, at: EventContext, _state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'tool_usage') return;
    const d = event.data;
    const agent = d.agent ?? event.agent;
    const durationMs = d.duration_ms ?? null;
    out.toolUses.push({
      session: event.session,
      seq: event.seq,
      ts: at.ts,
      time: at.time,
      day: at.day,
      phase: at.phase,
      agent,
      tool: d.tool,
      durationMs,
      success: d.success,
      parameters: summarizeParameters(d.parameters),
      error: clip(d.error, MAX_TOOL_ERROR),
      toolUseId: d.tool_use_id ?? null,
      user: at.user,
      machine: at.machine,
    });
    const m = out.rollups.entry('tool_day', at.day, at.phase, agent, d.tool, at.user, at.machine);
    m.uses++;
    if (d.success) m.successes++;
    if (durationMs !== null) {
      m.dur_count++;
      m.dur_sum += durationMs;
      if (m.dur_min === null || durationMs < m.dur_min) m.dur_min = durationMs;
      if (m.dur_max === null || durationMs > m.dur_max) m.dur_max = durationMs;
      const bucket = durationBucket(durationMs);
      m.dur_hist.set(bucket, (m.dur_hist.get(bucket) ?? 0) + 1);
    }
  },
};
