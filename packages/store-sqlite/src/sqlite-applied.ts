import type { AnySatEvent } from '@sat/core';
import { BulkInsert, ROWS_PER_STATEMENT } from './sqlite-bulk-insert.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { NameTable } from './sqlite-names.js';

/**
 * The `applied_events` table: records event ids, telling which were applied before. Full chunks
 * go in one multi-row INSERT; a chunk with an id applied before is undone (savepoint) and done one
 * by one. Call inside a transaction.
 */
export class AppliedIds {
  private readonly insert: BulkInsert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly names: NameTable,
  ) {
    this.insert = new BulkInsert(
      db,
      'INSERT INTO applied_events (id, session, seq) VALUES',
      3,
      'ON CONFLICT (id) DO NOTHING',
    );
  }

  /** Records the ids; returns, in order, the events never applied before. */
  mark(events: readonly AnySatEvent[]): AnySatEvent[] {
    const fresh: AnySatEvent[] = [];
    let at = 0;
    for (; at + ROWS_PER_STATEMENT <= events.length; at += ROWS_PER_STATEMENT)
      this.markChunk(events, at, fresh);
    for (; at < events.length; at++) this.markOne(events[at]!, fresh);
    return fresh;
  }

  /** Deletes every recorded id. */
  clear(): void {
    this.db.exec('DELETE FROM applied_events');
  }

  private markOne(event: AnySatEvent, fresh: AnySatEvent[]): void {
    if (this.insert.runOne([event.id, this.names.intern(event.session), event.seq]).changes > 0)
      fresh.push(event);
  }

  private markChunk(events: readonly AnySatEvent[], at: number, fresh: AnySatEvent[]): void {
    const end = at + ROWS_PER_STATEMENT;
    const params: unknown[] = [];
    for (let i = at; i < end; i++) {
      const event = events[i]!;
      params.push(event.id, this.names.intern(event.session), event.seq);
    }
    this.db.exec('SAVEPOINT sat_applied');
    if (this.insert.runMany(params).changes === ROWS_PER_STATEMENT) {
      this.db.exec('RELEASE sat_applied');
      for (let i = at; i < end; i++) fresh.push(events[i]!);
      return;
    }
    this.db.exec('ROLLBACK TO sat_applied');
    this.db.exec('RELEASE sat_applied');
    for (let i = at; i < end; i++) this.markOne(events[i]!, fresh);
  }
}
