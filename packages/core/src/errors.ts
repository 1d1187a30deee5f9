/**
 * Every error code the SubAgent Tracking System raises. Guards compare `code`, never
 * `instanceof`, so two installed copies of core still agree.
 */
export type SatErrorCode =
  | 'INVALID_EVENT'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_SESSION_ID'
  | 'INVALID_CONFIG'
  | 'NO_ACTIVE_SESSION'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_CLOSED'
  | 'LOCK_TIMEOUT'
  | 'LOG_WRITE_FAILED'
  | 'LOG_CORRUPT'
  | 'VERIFY_FAILED'
  | 'WRITER_CLOSED'
  | 'IO_ERROR'
  | 'USAGE'
  | 'CONFLICT'
  | 'STORE_CORRUPT'
  | 'STORE_TOO_NEW'
  | 'SNAPSHOT_NOT_FOUND'
  | 'NOT_FOUND'
  | 'INVALID_KEY'
  | 'TARGET_UNAVAILABLE'
  | 'TARGET_ERROR'
  | 'CHECKSUM_MISMATCH'
  | 'INVALID_BUNDLE'
  | 'LOCAL_ONLY';

/** Options accepted by {@link SatError}. */
export interface SatErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Machine-readable details (file, offset, key, ...). */
  details?: Record<string, unknown>;
}

/**
 * The one base error of the system. Its message names the package, the input and the fix:
 * `[core] cannot append to logs/abc.jsonl: no space left on device (free some space, then retry)`.
 *
 * @example
 * throw new SatError('INVALID_EVENT', '[core] tool_usage.duration_ms: expected a number, got "fast"');
 */
export class SatError extends Error {
  /** Marker that survives duplicated copies of this module. */
  readonly isSatError = true as const;
  readonly code: SatErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SatErrorCode, message: string, options: SatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SatError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * True when `error` is a {@link SatError} (from any copy of core), optionally with one of `codes`.
 *
 * @example
 * if (isSatError(err, 'LOCK_TIMEOUT')) retryLater();
 */
export function isSatError(error: unknown, ...codes: SatErrorCode[]): error is SatError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { isSatError?: unknown; code?: unknown };
  if (candidate.isSatError !== true || typeof candidate.code !== 'string') return false;
  return codes.length === 0 || codes.includes(candidate.code as SatErrorCode);
}

/** Node's system error shape (`ENOSPC`, `EACCES`, ...). */
export interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}

/** A short human phrase, with a fix, for the system errors users actually meet. */
export function describeSystemError(error: unknown): string {
  const err = error as SystemError;
  switch (err?.code) {
    case 'ENOSPC':
      return 'no space left on device (free some disk space, then retry)';
    case 'EDQUOT':
      return 'disk quota exceeded (free some space or raise the quota)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (check the folder owner and mode, or run `sat doctor`)';
    case 'EROFS':
      return 'the file system is read-only (choose another data root with SAT_HOME)';
    case 'ENOENT':
      return 'no such file or folder (run `sat init`, or check the configured paths)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files (close other programs or raise `ulimit -n`)';
    default:
      return err?.message ?? String(error);
  }
}

/** System error codes that mean the disk or the environment refused, not a bug: reported as {@link SatError}s. */
export const ENVIRONMENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EMFILE',
  'ENFILE',
  'EIO',
]);

/**
 * `error` as an `IO_ERROR` {@link SatError} saying what could not be done (`[core] cannot <what>:
 * no space left on device (free some disk space, then retry)`) when it is a system error of
 * {@link ENVIRONMENT_ERROR_CODES}; any other error is returned unchanged. Throw what it returns.
 *
 * @example
 * try { appendFileSync(file, text); } catch (error) { throw asEnvironmentError(error, `append to ${file}`); }
 */
export function asEnvironmentError(error: unknown, what: string): unknown {
  if (isSatError(error)) return error;
  const code = (error as SystemError | undefined)?.code;
  if (typeof code !== 'string' || !ENVIRONMENT_ERROR_CODES.has(code)) return error;
  return new SatError('IO_ERROR', `[core] cannot ${what}: ${describeSystemError(error)}`, {
    cause: error,
    details: { code, path: (error as SystemError).path },
  });
}
