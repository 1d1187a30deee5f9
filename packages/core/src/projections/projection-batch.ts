import type { AnySatEvent } from '../events/envelope.js';
import type { EventType } from '../events/payloads.js';
import type { ProjectionName } from './projection-names.js';
import type {
  DecisionRow,
  ErrorRow,
  EventContext,
  EventRowBase,
  FileOperationRow,
  FingerprintRow,
  InvocationRow,
  SessionProjectionState,
  SessionRow,
  ToolUseRow,
  ValidationRow,
} from './projection-rows.js';
import { RollupDeltas } from './rollups.js';

/**
 * What a batch of events projects to: rows to insert, rows to insert or replace (sessions and
 * invocations, keyed), rollup deltas to add, and the session states to save with the checkpoint.
 * A store writes all of it in one transaction.
 */
export class ProjectionBatch {
  /** Events projected. */
  events = 0;
  /** The final row of every session touched (insert or replace by session). */
  readonly sessions = new Map<string, SessionRow>();
  /** Invocations touched (insert or replace by id). */
  readonly invocations = new Map<string, InvocationRow>();
  readonly toolUses: ToolUseRow[] = [];
  readonly errors: ErrorRow[] = [];
  /** Fingerprints seen (insert if new). */
  readonly fingerprints = new Map<string, FingerprintRow>();
  readonly fileOperations: FileOperationRow[] = [];
  readonly decisions: DecisionRow[] = [];
  readonly validations: ValidationRow[] = [];
  readonly rollups = new RollupDeltas();
  /** The state of every session touched, to save with its checkpoint. */
  readonly states = new Map<string, SessionProjectionState>();
}

/**
 * A pure, versioned function from events to rows: it folds one event into the batch, reading
 * and updating the session's state (only its own slice of it). It knows nothing about databases.
 */
export interface Projection {
  readonly name: ProjectionName;
  /** Raise it whenever what the projection writes changes: stores then rebuild it from the log. */
  readonly version: number;
  readonly description: string;
  /** The event types it reads (undefined: every type). */
  readonly types?: readonly EventType[];
  /** Adds the rows and rollup deltas of one event to `out`, updating the session's projection state. */
  project(event: AnySatEvent, at: EventContext, state: SessionProjectionState, out: ProjectionBatch): void;
}

/** Cuts `text` to `max` characters (with an ellipsis), or null for undefined / empty. */
/** The fields every per-event row starts with: where and when the event sits, and whose it is. */
export function rowBase(event: AnySatEvent, at: EventContext): EventRowBase {
  return {
    session: event.session,
    seq: event.seq,
    ts: at.ts,
    time: at.time,
    day: at.day,
    phase: at.phase,
    agent: event.agent,
    user: at.user,
    machine: at.machine,
  };
}

export function clip(text: string | undefined | null, max: number): string | null {
  if (text === undefined || text === null || text === '') return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
