import { createHash } from 'node:crypto';
import type { AnySatEvent } from '../events/envelope.js';
import { type EventOrigin, eventOrigin } from '../events/event-origin.js';
import { sameEvent } from './event-content.js';

/** One event id held by both sides with different content. */
export interface EventConflict {
  id: string;
  type: string;
  /** The version kept in the log. */
  local: AnySatEvent;
  /** The version kept aside in the conflicts file. */
  foreign: AnySatEvent;
}

/** What merging a bundle's events into a session does (decided before anything is written). */
export interface MergePlan {
  /** Events to append, in the bundle's order, each with its `meta.origin`. */
  append: AnySatEvent[];
  /** Events the session already holds, the same. */
  same: number;
  conflicts: EventConflict[];
}

/** Who shared the bundle, and its id: the origin given to events that have none yet. */
export type BundleOrigin = Omit<EventOrigin, 'seq'>;

/**
 * The merge of `foreign` (a bundle's events) into a session holding `local` (by id): every event
 * whose id is new is appended with `meta.origin` (its first origin when it already has one, else
 * the bundle's sharer, the bundle's id and its seq there); an id already held with the same
 * content ({@link sameEvent}) is skipped; an id held with other content is a conflict, the local
 * version kept.
 *
 * @example
 * const { append, conflicts } = planMerge(bundleEvents, localById, { user: 'ana', machine: 'lap', bundle: id });
 */
export function planMerge(
  foreign: readonly AnySatEvent[],
  local: ReadonlyMap<string, AnySatEvent>,
  origin: BundleOrigin,
): MergePlan {
  const plan: MergePlan = { append: [], same: 0, conflicts: [] };
  const taken = new Map<string, AnySatEvent>();
  for (const event of foreign) {
    const held = local.get(event.id) ?? taken.get(event.id);
    if (held) {
      if (sameEvent(held, event)) plan.same++;
      else plan.conflicts.push({ id: event.id, type: event.type, local: held, foreign: event });
      continue;
    }
    const first = eventOrigin(event) ?? { ...origin, seq: event.seq };
    const appended = { ...event, meta: { ...(event.meta ?? {}), origin: first } } as AnySatEvent;
    taken.set(event.id, appended);
    plan.append.push(appended);
  }
  return plan;
}

function firstStart(events: Iterable<AnySatEvent>): AnySatEvent | undefined {
  let first: AnySatEvent | undefined;
  for (const event of events)
    if (
      event.type === 'session_start' &&
      (!first || event.ts < first.ts || (event.ts === first.ts && event.id < first.id))
    )
      first = event;
  return first;
}

/**
 * True when a bundle's session and the local session of the same id are two different sessions:
 * they share no event id and both have a `session_start`, which differ. (A session continued on
 * two machines shares its first events; a bundle holding only later events has no
 * `session_start` of its own and is merged.)
 *
 * @example
 * if (reusedSessionId(foreign, local)) session = derivedSessionId(session, foreign);
 */
export function reusedSessionId(
  foreign: readonly AnySatEvent[],
  local: ReadonlyMap<string, AnySatEvent>,
): boolean {
  if (local.size === 0) return false;
  if (foreign.some((event) => local.has(event.id))) return false;
  const theirs = firstStart(foreign);
  const ours = firstStart(local.values());
  return theirs !== undefined && ours !== undefined && theirs.id !== ours.id;
}

/**
 * The session id a foreign session whose id is already used here is imported under:
 * `<session>.import-<8 hex digits of the SHA-256 of its first session_start's id>`, so the same
 * foreign session always lands in the same derived session (imports of it stay idempotent).
 *
 * @example
 * derivedSessionId('b1f2', foreign); // 'b1f2.import-9c0d4e1a'
 */
export function derivedSessionId(session: string, foreign: readonly AnySatEvent[]): string {
  const start = firstStart(foreign)?.id ?? foreign[0]?.id ?? session;
  const hash = createHash('sha256').update(start).digest('hex').slice(0, 8);
  return `${session.slice(0, 100)}.import-${hash}`;
}
