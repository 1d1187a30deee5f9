import type { AnySatEvent } from '../events/envelope.js';
import type { Projection, ProjectionBatch } from './projection-batch.js';
import type { CountedResponse, EventContext, SessionProjectionState } from './projection-rows.js';

/** The model the importer records when a response names none (`UNKNOWN_MODEL` of the transcript mapper). */
const UNKNOWN_MODEL = 'unknown';

function add(
  out: ProjectionBatch,
  session: string,
  r: CountedResponse,
  responses: number,
  t: readonly number[],
): void {
  for (const m of [
    out.rollups.entry('usage_session', session, r.day, r.phase, r.agent, r.model, r.user, r.machine),
    out.rollups.entry('usage_day', r.day, r.phase, r.agent, r.model, r.user, r.machine),
    out.rollups.entry('usage_phase', r.phase, r.agent, r.model, r.user, r.machine),
  ]) {
    m.responses += responses;
    m.input += t[0]!;
    m.output += t[1]!;
    m.cache_creation += t[2]!;
    m.cache_creation_1h += t[3]!;
    m.cache_read += t[4]!;
    if (r.costUsd === undefined) continue;
    m.cc_responses += responses;
    m.cc_input += t[0]!;
    m.cc_output += t[1]!;
    m.cc_cache_creation += t[2]!;
    m.cc_cache_creation_1h += t[3]!;
    m.cc_cache_read += t[4]!;
    m.cc_cost += responses * r.costUsd;
  }
}

/** Gives a counted response Claude Code's cost: it moves to the `cc_` measures. */
function setCost(
  out: ProjectionBatch,
  session: string,
  r: CountedResponse,
  costUsd: number | undefined,
): void {
  if (costUsd === undefined || r.costUsd !== undefined) return;
  if (!r.counted) {
    r.costUsd = costUsd;
    return;
  }
  uncount(out, session, r);
  r.costUsd = costUsd;
  r.counted = true;
  add(out, session, r, 1, r.tokens);
}

/** Takes a counted response back out of the rollups (it is no longer counted). */
function uncount(out: ProjectionBatch, session: string, r: CountedResponse): void {
  if (!r.counted) return;
  r.counted = false;
  add(
    out,
    session,
    r,
    -1,
    r.tokens.map((value) => -value),
  );
}

/**
 * Token usage of api_response events per session x day x phase x agent x model, with day and
 * phase rollups; cost is never stored, it is priced at query time. Each response (source,
 * message_id, request_id) counts once, with the largest figures it was recorded with, where it
 * was first seen. The sub-agent token rule: a `task_result` response of an agent_id counts only
 * while no `transcript` response of that agent_id exists in the session; when the transcript
 * shows up later, what the estimates added is taken back. Claude Code's own record of a request
 * (`source: 'otel'`) counts only while no transcript response of its request id exists (the same
 * rule, by request id): whichever comes first, the request counts once, with the transcript's tokens
 * once it is there and Claude Code's `cost_usd` (in the `cc_` measures) when the record had one.
 */
export const apiUsageProjection: Projection = {
  name: 'api_usage',
  // v3: rollups carry the owner (user, machine) of each response.
  version: 3,
  description: 'api token usage per session x agent x model (cost priced at query time)',
  types: ['api_response'],
  project(event: AnySatEvent, at: EventContext, state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'api_response') return;
    const d = event.data;
    state.api_usage ??= { responses: {}, transcripts: {} };
    const slice = state.api_usage;
    slice.requests ??= {};
    const requests = slice.requests;
    const joined = d.source === 'otel' && d.request_id !== undefined ? requests[d.request_id] : undefined;
    if (joined !== undefined) {
      setCost(out, event.session, slice.responses[joined]!, d.cost_usd);
      return;
    }
    const tokens: CountedResponse['tokens'] = [
      d.tokens.input,
      d.tokens.output,
      d.tokens.cacheCreation,
      Math.min(d.cache_creation_1h ?? 0, d.tokens.cacheCreation),
      d.tokens.cacheRead,
    ];
    const key =
      d.source === 'otel'
        ? `o\u0000${d.request_id ?? d.message_id}`
        : `${d.source === 'transcript' ? 't' : 'e'}\u0000${d.message_id}\u0000${d.request_id ?? ''}`;
    const seen = slice.responses[key];
    if (seen) {
      // Recorded again (read while still being written): keep the largest figures.
      const grown = seen.tokens.map((value, i) => Math.max(value, tokens[i]!)) as CountedResponse['tokens'];
      if (seen.model === UNKNOWN_MODEL && d.model !== UNKNOWN_MODEL) {
        // First recorded without its model: move it to the model now known.
        if (seen.counted)
          add(
            out,
            event.session,
            seen,
            -1,
            seen.tokens.map((value) => -value),
          );
        seen.model = d.model;
        seen.tokens = grown;
        if (seen.counted) add(out, event.session, seen, 1, grown);
        return;
      }
      const delta = grown.map((value, i) => value - seen.tokens[i]!);
      seen.tokens = grown;
      if (seen.counted && delta.some((value) => value !== 0)) add(out, event.session, seen, 0, delta);
      return;
    }
    const agentId = d.agent_id;
    const response: CountedResponse = {
      day: at.day,
      phase: at.phase,
      agent: event.agent,
      model: d.model,
      user: at.user,
      machine: at.machine,
      tokens,
      counted: true,
    };
    if (d.source === 'task_result') {
      if (agentId !== undefined) {
        response.agentId = agentId;
        if (slice.transcripts[agentId]) response.counted = false;
      }
    } else if (d.source === 'transcript' && agentId !== undefined && !slice.transcripts[agentId]) {
      slice.transcripts[agentId] = true;
      for (const other of Object.values(slice.responses))
        if (other.agentId === agentId) uncount(out, event.session, other);
    }
    if (d.source === 'otel' && d.cost_usd !== undefined) response.costUsd = d.cost_usd;
    const record =
      d.source === 'transcript' && d.request_id !== undefined
        ? slice.responses[`o\u0000${d.request_id}`]
        : undefined;
    if (d.source === 'transcript' && d.request_id !== undefined) requests[d.request_id] = key;
    if (record?.counted) {
      uncount(out, event.session, record);
      if (record.costUsd !== undefined) response.costUsd = record.costUsd;
    }
    slice.responses[key] = response;
    if (response.counted) add(out, event.session, response, 1, tokens);
  },
};
