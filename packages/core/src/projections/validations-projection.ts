import type { AnySatEvent } from '../events/envelope.js';
import { type Projection, type ProjectionBatch, rowBase } from './projection-batch.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';

/** One row per validation: task, result, checks run and passed. */
export const validationsProjection: Projection = {
  name: 'validations',
  // v2: rows carry their owner (user, machine).
  version: 2,
  description: 'validations: task, result, checks run and passed',
  types: ['validation'],
  project(event: AnySatEvent, at: EventContext, _state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'validation') return;
    const d = event.data;
    out.validations.push({
      ...rowBase(event, at),
      task: d.task,
      result: d.result,
      checks: d.checks.length,
      checksPassed: d.checks.filter((check) => check.passed).length,
    });
  },
};
