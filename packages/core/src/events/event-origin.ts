import type { SatEvent } from './envelope.js';

/**
 * Where an event imported from someone else's bundle came from, kept in `meta.origin`: whose it
 * is, the machine it was recorded on, the bundle that carried it, and its seq in the sender's log
 * (the receiving log gives it a new seq of its own). Events recorded here have no origin.
 */
export interface EventOrigin {
  user: string;
  machine: string;
  /** The bundle's id (its manifest's content hash), so that one import can be told from another. */
  bundle: string;
  /** The event's seq in the log it was shared from. */
  seq: number;
}

/** Whose an event is and where it was recorded. */
export interface EventOwner {
  user: string;
  machine: string;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

/**
 * The event's `meta.origin`, when it has a well-formed one; undefined for an event recorded here
 * (or a malformed origin, which is ignored rather than trusted).
 *
 * @example
 * eventOrigin(event)?.user; // 'ana'
 */
export function eventOrigin(event: Pick<SatEvent, 'meta'>): EventOrigin | undefined {
  const origin = event.meta?.origin as Partial<EventOrigin> | undefined;
  if (!origin || typeof origin !== 'object') return undefined;
  const { user, machine, bundle, seq } = origin;
  if (!isText(user) || !isText(machine) || !isText(bundle)) return undefined;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return undefined;
  return { user, machine, bundle, seq };
}

/**
 * Whose an event is: its origin's user and machine when it was imported, else `local` (the
 * configuration's `identity`).
 *
 * @example
 * eventOwner(event, config.identity); // { user: 'ana', machine: 'ana-laptop' }
 */
export function eventOwner(event: Pick<SatEvent, 'meta'>, local: EventOwner): EventOwner {
  const origin = eventOrigin(event);
  return origin
    ? { user: origin.user, machine: origin.machine }
    : { user: local.user, machine: local.machine };
}

/** Whose a session is, as `sat show` and the web API say it: `local` when it was recorded here. */
export interface SessionOwner extends EventOwner {
  local: boolean;
}

/**
 * Whose a session is, from its origin (`SessionOverview.origin`, absent when recorded here) and
 * this history's identity.
 *
 * @example
 * describeOwner(overview.origin, config.identity); // { user: 'ana', machine: 'ana-mac', local: false }
 */
export function describeOwner(origin: EventOwner | undefined, local: EventOwner): SessionOwner {
  return origin
    ? { user: origin.user, machine: origin.machine, local: false }
    : { user: local.user, machine: local.machine, local: true };
}
