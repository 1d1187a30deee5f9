import type { AnySatEvent } from '../events/envelope.js';
import { clip, type Projection, type ProjectionBatch, rowBase } from './projection-batch.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';

/** Longest question, answer and rationale kept. */
const MAX_TEXT = 500;

/** One row per decision: question, options, choice, rationale. */
export const decisionsProjection: Projection = {
  name: 'decisions',
  // v2: rows carry their owner (user, machine).
  version: 2,
  description: 'decisions: question, options, selected, rationale',
  types: ['decision'],
  project(event: AnySatEvent, at: EventContext, _state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'decision') return;
    const d = event.data;
    out.decisions.push({
      ...rowBase(event, at),
      question: clip(d.question, MAX_TEXT) ?? '',
      selected: clip(d.selected, MAX_TEXT) ?? '',
      options: d.options ? d.options.slice(0, 20).map((option) => clip(option, 200) ?? '') : null,
      rationale: clip(d.rationale, MAX_TEXT),
    });
  },
};
