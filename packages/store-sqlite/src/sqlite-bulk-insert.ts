import type { SqliteDatabase, SqliteRunResult, SqliteStatement } from './sqlite-database.js';

/** Rows per multi-row INSERT: one native call instead of 64 (about half the cost per row). */
export const ROWS_PER_STATEMENT = 64;

/**
 * Buffers rows and inserts them `ROWS_PER_STATEMENT` at a time with one multi-row INSERT;
 * `flush()` writes the rest one by one. Nothing is written until a full statement or `flush()`.
 *
 * @example
 * bulk.values.push(session, seq, tool);
 * bulk.added();
 * bulk.flush();
 */
export class BulkInsert {
  private readonly many: SqliteStatement;
  private readonly one: SqliteStatement;
  private params: unknown[] = [];
  private rows = 0;

  /** `head` is `INSERT INTO table (columns) VALUES`; `tail` follows the values (ON CONFLICT ...). */
  constructor(
    db: SqliteDatabase,
    head: string,
    private readonly columns: number,
    tail = '',
  ) {
    const row = `(${Array(columns).fill('?').join(', ')})`;
    this.many = db.prepare(`${head} ${Array(ROWS_PER_STATEMENT).fill(row).join(', ')} ${tail}`);
    this.one = db.prepare(`${head} ${row} ${tail}`);
  }

  /**
   * The values of the rows buffered so far: push one row's `columns` values, then call
   * {@link added} (pushing straight into it spares an array per row).
   */
  get values(): unknown[] {
    return this.params;
  }

  /** Counts the row just pushed to {@link values}; writes a full statement's worth of rows. */
  added(): void {
    if (++this.rows === ROWS_PER_STATEMENT) {
      const params = this.params;
      this.discard();
      this.many.run(params);
    }
  }

  /** Writes the buffered rows. */
  flush(): void {
    const { params, rows } = this;
    this.discard();
    for (let i = 0; i < rows; i++) this.one.run(params.slice(i * this.columns, (i + 1) * this.columns));
  }

  /** Forgets the buffered rows (their transaction failed). */
  discard(): void {
    this.params = [];
    this.rows = 0;
  }

  /** Inserts `ROWS_PER_STATEMENT` rows at once (`params` flat), returning what SQLite reports. */
  runMany(params: unknown[]): SqliteRunResult {
    return this.many.run(params);
  }

  /** Inserts one row now. */
  runOne(params: unknown[]): SqliteRunResult {
    return this.one.run(params);
  }
}
