import { isSatError } from '@sat/core';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

const NOT_FOUND = new Set(['SESSION_NOT_FOUND', 'NOT_FOUND', 'SNAPSHOT_NOT_FOUND', 'NO_ACTIVE_SESSION']);
const BAD_REQUEST = new Set(['USAGE', 'INVALID_SESSION_ID', 'INVALID_KEY', 'INVALID_CONFIG']);

/**
 * The HTTP status and body of an error: core's code and message; 404 for a missing session or
 * snapshot, 400 for bad input, 503 for an unreachable target, else 500 with code `IO_ERROR`
 * or the error's own code.
 *
 * @example
 * errorAnswer(new SatError('USAGE', 'bad')); // { status: 400, body: { error: { code: 'USAGE', message: 'bad' } } }
 */
export function errorAnswer(error: unknown): { status: 400 | 401 | 404 | 500 | 503; body: ErrorBody } {
  if (isSatError(error)) {
    const status = NOT_FOUND.has(error.code)
      ? 404
      : BAD_REQUEST.has(error.code)
        ? 400
        : error.code === 'TARGET_UNAVAILABLE'
          ? 503
          : 500;
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'IO_ERROR', message: `[web] ${message}` } } };
}
