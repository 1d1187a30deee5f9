import { isSatError, SatError } from '@sat/core';
import { PKG } from './gdrive-constants.js';

/** What the target keeps of a failed HTTP exchange: never headers, bodies or URLs with tokens. */
export interface HttpFailure {
  /** HTTP status, or undefined when no response came (reset, refused, timeout). */
  status?: number;
  /** Google's error reason (`rateLimitExceeded`, `insufficientPermissions`) or OAuth error (`invalid_grant`). */
  reason?: string;
  /** Network error code (`ECONNRESET`, ...), when no response came. */
  code?: string;
  /** Seconds of a `Retry-After` header, when the server sent one. */
  retryAfterSeconds?: number;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

function parseBody(data: unknown): Record<string, unknown> | undefined {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (typeof h.get === 'function') return h.get(name) ?? undefined;
  const value = h[name] ?? h[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** Reads status, reason, network code and Retry-After from a gaxios error (or any thrown value). */
export function httpFailureOf(error: unknown): HttpFailure {
  const e = error as {
    status?: number;
    code?: string | number;
    response?: { status?: number; data?: unknown; headers?: unknown };
    cause?: { code?: string; cause?: { code?: string } };
  };
  const status = e?.response?.status;
  const body = parseBody(e?.response?.data);
  let reason: string | undefined;
  if (body) {
    const err = body.error;
    if (typeof err === 'string')
      reason = err; // OAuth token endpoint: { error: 'invalid_grant' }
    else if (err && typeof err === 'object') {
      const first = (err as { errors?: Array<{ reason?: string }> }).errors?.[0];
      reason = first?.reason ?? (err as { status?: string }).status;
    }
  }
  if (!reason && error instanceof Error && error.message === 'invalid_grant') reason = 'invalid_grant';
  const retryAfter = headerOf(e?.response?.headers, 'retry-after');
  const seconds = retryAfter !== undefined ? Number(retryAfter) : Number.NaN;
  const code =
    status === undefined
      ? (e?.cause?.code ?? e?.cause?.cause?.code ?? (typeof e?.code === 'string' ? e.code : undefined))
      : undefined;
  return {
    ...(status !== undefined ? { status } : {}),
    ...(reason ? { reason } : {}),
    ...(code ? { code } : {}),
    ...(Number.isFinite(seconds) && seconds >= 0 ? { retryAfterSeconds: seconds } : {}),
  };
}

/** True for failures worth another try: no response, 408, 429, 5xx, 403 rate limits. */
export function isTransientFailure(failure: HttpFailure): boolean {
  const { status, reason } = failure;
  if (reason === 'invalid_grant') return false;
  if (status === undefined) return true;
  if (status === 408 || status === 429 || status >= 500) return true;
  return status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason);
}

function describe(failure: HttpFailure): string {
  if (failure.status === undefined) return `no response (${failure.code ?? 'connection failed'})`;
  return `HTTP ${failure.status}${failure.reason ? ` ${failure.reason}` : ''}`;
}

/** A cause that says what happened without any header, body or URL of the request. */
function safeCause(failure: HttpFailure): Error {
  return new Error(describe(failure));
}

/** The error for a refresh token Google no longer accepts. */
export function invalidGrantError(credentialsFile: string | undefined): SatError {
  return new SatError(
    'TARGET_ERROR',
    `${PKG} Google refused the stored refresh token${credentialsFile ? ` in ${credentialsFile}` : ''} (invalid_grant): it was revoked or has expired — tokens of OAuth apps in "Testing" publishing status expire after 7 days, a user can revoke access at https://myaccount.google.com/permissions, and tokens unused for 6 months expire (run 'sat setup gdrive' again; publish the OAuth app to "In production" to stop the 7-day expiry)`,
    { cause: new Error('invalid_grant'), details: { reason: 'invalid_grant', retryable: false } },
  );
}

/**
 * Maps any failure of a Drive or OAuth call to a core error code: NOT_FOUND (404),
 * TARGET_UNAVAILABLE (transient, after retries; retryable), TARGET_ERROR (permanent, with the fix).
 * The cause keeps only the status and reason: never the request, its headers or its body.
 */
export function toSatError(
  error: unknown,
  action: string,
  context: { key?: string; credentialsFile?: string; location: string },
): SatError {
  if (isSatError(error)) return error;
  const failure = httpFailureOf(error);
  const details = { ...(context.key !== undefined ? { key: context.key } : {}), ...failure };
  if (failure.reason === 'invalid_grant') return invalidGrantError(context.credentialsFile);
  if (failure.status === 404) {
    return new SatError('NOT_FOUND', `${PKG} cannot ${action} in ${context.location}: not found`, {
      cause: safeCause(failure),
      details: { ...details, retryable: false },
    });
  }
  if (isTransientFailure(failure)) {
    return new SatError(
      'TARGET_UNAVAILABLE',
      `${PKG} cannot ${action} in ${context.location}: Google Drive did not answer well (${describe(failure)}) after several tries (retry later; the backup is queued when possible)`,
      { cause: safeCause(failure), details: { ...details, retryable: true } },
    );
  }
  let fix = 'check the Google Drive settings, then retry';
  if (failure.status === 401)
    fix = `the access token was refused even after a refresh: run 'sat setup gdrive' again`;
  else if (failure.status === 403)
    fix =
      failure.reason === 'storageQuotaExceeded'
        ? 'the Drive is full: free some space'
        : `the app lacks permission (it only sees files it created, scope drive.file): run 'sat setup gdrive' again and grant access, and check the Drive API is enabled for the OAuth client's project`;
  else if (failure.status === 400) fix = 'the request was refused as malformed: report this as a bug';
  return new SatError(
    'TARGET_ERROR',
    `${PKG} cannot ${action} in ${context.location}: ${describe(failure)} (${fix})`,
    {
      cause: safeCause(failure),
      details: { ...details, retryable: false },
    },
  );
}
