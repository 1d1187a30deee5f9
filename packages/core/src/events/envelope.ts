import { Type } from '@sinclair/typebox';
import type { EventPayloads, EventType } from './payloads.js';

/** One event of the log: the envelope every type shares, and its typed payload in `data`. */
export interface SatEvent<T extends EventType = EventType> {
  /** Globally unique, time-sortable id (UUIDv7): the idempotency key of every later step. */
  id: string;
  /** The session it belongs to. */
  session: string;
  /** Position in the session: 1, 2, 3, ... with no gaps. */
  seq: number;
  /** ISO-8601 time it happened. */
  ts: string;
  /** The event type: which payload `data` holds. */
  type: T;
  /** The agent it concerns: `main` or a sub-agent's name or id. */
  agent: string;
  /** The id of the event it belongs under (a tool call's agent invocation, say). */
  parent?: string;
  /** Payload schema version. */
  v: number;
  /** The payload, checked against the schema of its type and `v`. */
  data: EventPayloads[T];
  /** Free-form extras that are not part of the typed payload (the raw source record, say). */
  meta?: Record<string, unknown>;
}

/** Any event, typed by its `type`. */
export type AnySatEvent = { [T in EventType]: SatEvent<T> }[EventType];

const ISO_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';

/** The envelope's schema, as stored (payload checked separately, per type and version). */
export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128 }),
    session: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
    seq: Type.Integer({ minimum: 1 }),
    ts: Type.String({ pattern: ISO_TIME }),
    type: Type.String({ minLength: 1 }),
    agent: Type.String({ minLength: 1 }),
    parent: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    v: Type.Integer({ minimum: 1 }),
    data: Type.Record(Type.String(), Type.Unknown()),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** What a caller supplies to append an event; the writer adds `id`, `seq`, `ts` and `v`. */
export interface NewEvent<T extends EventType = EventType> {
  type: T;
  session: string;
  data: EventPayloads[T];
  agent?: string;
  parent?: string;
  /** Defaults to now; give it when importing history. */
  ts?: string | Date;
  /** Defaults to a new UUIDv7; give it to make an import idempotent. */
  id?: string;
  meta?: Record<string, unknown>;
}

export const ISO_TIME_PATTERN = new RegExp(ISO_TIME);

/** The two-digit number at `at` (the pattern guarantees digits there): no slices on the append path. */
function two(ts: string, at: number): number {
  return (ts.charCodeAt(at) - 48) * 10 + ts.charCodeAt(at + 1) - 48;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `ts` has the ISO-8601 shape of `ISO_TIME_PATTERN` and names a real time: a
 * day that exists in its month (no `2026-02-30`, no 29 February outside leap years), hours
 * below 24, minutes and seconds below 60, an offset below 24 hours.
 *
 * @example
 * isRealIsoTime('2026-02-28T10:00:00Z'); // true
 * isRealIsoTime('2026-02-30T10:00:00Z'); // false
 */
export function isRealIsoTime(ts: string): boolean {
  if (!ISO_TIME_PATTERN.test(ts)) return false;
  const year = two(ts, 0) * 100 + two(ts, 2);
  const month = two(ts, 5);
  const day = two(ts, 8);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  if (two(ts, 11) > 23 || two(ts, 14) > 59 || two(ts, 17) > 59) return false;
  const sign = ts.charCodeAt(ts.length - 6);
  const offset = sign === 43 || sign === 45; // '+' or '-'
  return !offset || (two(ts, ts.length - 5) < 24 && two(ts, ts.length - 2) < 60);
}
