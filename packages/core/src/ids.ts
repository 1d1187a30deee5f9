import { v7 as uuidv7 } from 'uuid';
import { SatError } from './errors.js';

/**
 * A new globally unique, time-sortable event or session id (UUIDv7, monotonic within a process).
 *
 * @example
 * newId(); // '019ab5f0-6b1c-7d2e-9a4b-3f0c8e1d2a7b'
 */
export function newId(): string {
  return uuidv7();
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `id` can name a session: 1 to 128 of `A-Z a-z 0-9 . _ -`, not starting with `.`, `_` or `-`. */
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID.test(id) && !id.includes('..');
}

/** Throws `INVALID_SESSION_ID` unless `id` is a valid session id; returns it otherwise. */
export function assertSessionId(id: unknown, where = 'session id'): string {
  if (!isValidSessionId(id)) {
    throw new SatError(
      'INVALID_SESSION_ID',
      `[core] invalid ${where} ${JSON.stringify(id)}: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { details: { id } },
    );
  }
  return id;
}
