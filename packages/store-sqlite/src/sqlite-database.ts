/**
 * The part of a better-sqlite3 connection this package uses, declared structurally (as kysely
 * declares it), so a caller can inject its own connection, e.g. an in-memory one in tests.
 */

/** What running a statement reports. */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement. */
export interface SqliteStatement {
  readonly reader: boolean;
  /** Runs the statement with `params`; reports the rows changed. */
  run(...params: unknown[]): SqliteRunResult;
  /** The first row the statement returns, or undefined. */
  get(...params: unknown[]): unknown;
  /** Every row the statement returns. */
  all(...params: unknown[]): unknown[];
  /** The rows the statement returns, one at a time. */
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Rows as arrays of values instead of objects (`toggle` default true). */
  raw(toggle?: boolean): this;
}

/** A synchronous SQLite connection (better-sqlite3's `Database`). */
export interface SqliteDatabase {
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  /** Compiles `sql` into a statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements with no parameters. */
  exec(sql: string): unknown;
  /** Runs a PRAGMA; `simple` returns the first column of the first row. */
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  /** Registers a scalar SQL function. */
  // biome-ignore lint/suspicious/noExplicitAny: the arguments are whatever SQLite passes
  function(name: string, options: { deterministic?: boolean }, fn: (...args: any[]) => unknown): unknown;
  /** Registers an aggregate SQL function (`start`, `step`, `result`). */
  aggregate(
    name: string,
    options: {
      deterministic?: boolean;
      start: () => unknown;
      // biome-ignore lint/suspicious/noExplicitAny: the accumulator's type is the caller's
      step: (total: any, ...values: any[]) => unknown;
      // biome-ignore lint/suspicious/noExplicitAny: as above
      result: (total: any) => unknown;
    },
  ): unknown;
  /** Closes the connection. */
  close(): unknown;
}
