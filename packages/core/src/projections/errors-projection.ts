import type { AnySatEvent } from '../events/envelope.js';
import { errorFingerprint } from './error-fingerprint.js';
import { clip, type Projection, type ProjectionBatch, rowBase } from './projection-batch.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';

/** Longest error message, context and fix kept on a row. */
const MAX_TEXT = 500;

/** True when (time, sample) comes before (knownTime, knownSample): the earliest, then the smallest text. */
function earlier(
  time: number,
  sample: string | null,
  knownTime: number,
  knownSample: string | null,
): boolean {
  return time < knownTime || (time === knownTime && (sample ?? '') < (knownSample ?? ''));
}

function contextText(context: unknown): string | null {
  if (context === undefined || context === null) return null;
  if (typeof context === 'string') return clip(context, MAX_TEXT);
  try {
    return clip(JSON.stringify(context), MAX_TEXT);
  } catch {
    return null;
  }
}

/**
 * One row per error (type, agent, context, fix attempted, fixed) with a fingerprint that groups
 * the same error across sessions; counted per day x phase x agent x fingerprint, with the
 * distinct sessions it happened in.
 */
export const errorsProjection: Projection = {
  name: 'errors',
  // v2: closing tags are no longer read as paths in fingerprints. v3: rows and rollups carry their owner.
  version: 3,
  description: 'errors: type, agent, context, fix attempted, fixed, fingerprint',
  types: ['error'],
  project(event: AnySatEvent, at: EventContext, _state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'error') return;
    const d = event.data;
    const { fingerprint, pattern } = errorFingerprint(d.error_type, d.message);
    const fixAttempted = d.attempted_fix !== undefined || d.fix_successful !== undefined;
    const fixed = d.fix_successful ?? null;
    out.errors.push({
      ...rowBase(event, at),
      errorType: d.error_type,
      message: clip(d.message, MAX_TEXT),
      fingerprint,
      context: contextText(d.context),
      attemptedFix: clip(d.attempted_fix, MAX_TEXT),
      fixAttempted,
      fixed,
      toolUseId: d.tool_use_id ?? null,
    });
    const sample = clip(d.message, MAX_TEXT);
    const known = out.fingerprints.get(fingerprint);
    if (!known || earlier(at.time, sample, known.sampleAt, known.sample))
      out.fingerprints.set(fingerprint, {
        fingerprint,
        errorType: d.error_type,
        pattern,
        sample,
        sampleAt: at.time,
      });
    const m = out.rollups.entry('error_day', at.day, at.phase, event.agent, fingerprint, at.user, at.machine);
    m.errors++;
    if (fixAttempted) m.fix_attempted++;
    if (fixed === true) m.fixed++;
    if (m.first_at === null || at.time < m.first_at) m.first_at = at.time;
    if (m.last_at === null || at.time > m.last_at) m.last_at = at.time;
    m.sessions.add(event.session);
  },
};
