import type { AnySatEvent } from '../events/envelope.js';
import { type Projection, type ProjectionBatch, rowBase } from './projection-batch.js';
import type { EventContext, SessionProjectionState } from './projection-rows.js';

/** One row per file operation: path, operation, git hash, time. */
export const fileOperationsProjection: Projection = {
  name: 'file_operations',
  // v2: rows carry their owner (user, machine).
  version: 2,
  description: 'file operations: path, operation, git hash, time',
  types: ['file_operation'],
  project(event: AnySatEvent, at: EventContext, _state: SessionProjectionState, out: ProjectionBatch): void {
    if (event.type !== 'file_operation') return;
    const d = event.data;
    out.fileOperations.push({
      ...rowBase(event, at),
      path: d.path,
      operation: d.operation,
      fromPath: d.from_path ?? null,
      gitHash: d.git_hash ?? null,
      bytes: d.bytes ?? null,
    });
  },
};
