import { isSatError } from '@sat/core';

/**
 * Thrown by commands for a user error (a wrong argument, a missing session): printed as one
 * line on stderr, exit status 1.
 *
 * @example
 * throw new UsageError('give a session id, or run `sat sessions` to list them');
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An error whose message is meant for the user as it is (a core `SatError` or a {@link UsageError}). */
export function isUserFacingError(error: unknown): error is Error {
  return isSatError(error) || error instanceof UsageError;
}
