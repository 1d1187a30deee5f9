import { describeSystemError, isSatError, SatError } from '@sat/core';

/** What the store was doing, for the message. */
export interface ErrorContext {
  /** The database file. */
  file: string;
  /** `open`, `write to`, `read`, `rebuild` ... */
  action: string;
  /** How long a locked database was waited for. */
  busyTimeoutMs: number;
}

/** SQLite's error code of a native error (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...), if any. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True for a native error saying the file is damaged or not a database. */
export function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * Maps a native failure to a core error at this package's boundary: SQLITE_BUSY / LOCKED to
 * `LOCK_TIMEOUT`, SQLITE_CORRUPT / NOTADB to `STORE_CORRUPT`, constraint violations to
 * `CONFLICT`, disk and file errors to `IO_ERROR`. A `SatError`, and any other error (a bug, not a
 * condition of the database), passes through unchanged.
 */
export function toSatError(error: unknown, context: ErrorContext): Error {
  if (isSatError(error)) return error;
  const code = sqliteCode(error);
  const reason = (error as Error)?.message ?? String(error);
  const where = `${context.action} ${context.file}`;
  const details = { file: context.file, sqlite: code };
  if (code === undefined) {
    const system = (error as { code?: unknown } | null)?.code;
    if (typeof system === 'string' && /^E[A-Z]+$/.test(system))
      return new SatError('IO_ERROR', `[store-sqlite] cannot ${where}: ${describeSystemError(error)}`, {
        cause: error,
        details,
      });
    return error instanceof Error ? error : new Error(reason);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new SatError(
      'LOCK_TIMEOUT',
      `[store-sqlite] cannot ${where}: the database is locked by another connection (an ingest or rebuild in another process?); waited ${context.busyTimeoutMs} ms (retry when it is done, or raise busyTimeoutMs)`,
      { cause: error, details: { ...details, waitedMs: context.busyTimeoutMs } },
    );
  if (isCorruption(error))
    return new SatError(
      'STORE_CORRUPT',
      `[store-sqlite] cannot ${where}: the file is damaged or not a SQLite database (${reason}); the log is the source of truth, so run 'sat rebuild' to recreate the analytics database from it`,
      { cause: error, details },
    );
  if (code.startsWith('SQLITE_CONSTRAINT'))
    return new SatError(
      'CONFLICT',
      `[store-sqlite] cannot ${where}: ${reason} (run 'sat rebuild' if it persists)`,
      {
        cause: error,
        details,
      },
    );
  if (code === 'SQLITE_FULL')
    return new SatError(
      'IO_ERROR',
      `[store-sqlite] cannot ${where}: the disk is full (free some space, then retry)`,
      { cause: error, details },
    );
  if (code.startsWith('SQLITE_READONLY'))
    return new SatError(
      'IO_ERROR',
      `[store-sqlite] cannot ${where}: the database is read-only (check the file's owner and mode)`,
      { cause: error, details },
    );
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM')
    return new SatError(
      'IO_ERROR',
      `[store-sqlite] cannot ${where}: ${reason} (check that the folder exists and is writable, or run 'sat doctor')`,
      { cause: error, details },
    );
  return new SatError('IO_ERROR', `[store-sqlite] cannot ${where}: ${reason} (${code})`, {
    cause: error,
    details,
  });
}
