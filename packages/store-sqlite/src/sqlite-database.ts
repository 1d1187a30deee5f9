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
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  raw(toggle?: boolean): this;
}

/** A synchronous SQLite connection (better-sqlite3's `Database`). */
export interface SqliteDatabase {
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: the arguments are whatever SQLite passes
  function(name: string, options: { deterministic?: boolean }, fn: (...args: any[]) => unknown): unknown;
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
  close(): unknown;
}
