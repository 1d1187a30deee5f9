import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';

/**
 * Interned strings (session ids, agents, tools, phases, models, fingerprints): each is stored
 * once in `names` and referred to by a small integer, which keeps rows and rollup keys compact.
 * Names are never deleted (not even by a rebuild), so an id, once committed, is stable; ids
 * handed out inside a transaction that rolls back are forgotten with {@link forgetUncommitted}.
 */
export class NameTable {
  private readonly ids = new Map<string, number>();
  private readonly values = new Map<number, string>();
  private readonly pending = new Set<string>();
  private readonly insert: SqliteStatement;
  private readonly select: SqliteStatement;
  private readonly selectValue: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare('INSERT INTO names (value) VALUES (?) ON CONFLICT (value) DO NOTHING');
    this.select = db.prepare('SELECT id FROM names WHERE value = ?').raw(true);
    this.selectValue = db.prepare('SELECT value FROM names WHERE id = ?').raw(true);
  }

  /** The id of `value`, adding it when new (call inside a write transaction). */
  intern(value: string): number {
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    const inserted = this.insert.run(value);
    const id = inserted.changes > 0 ? Number(inserted.lastInsertRowid) : this.lookupId(value)!;
    if (inserted.changes > 0) this.pending.add(value);
    this.remember(value, id);
    return id;
  }

  /** The id of `value`, or undefined when it was never stored (nothing can match it). */
  find(value: string): number | undefined {
    return this.ids.get(value) ?? this.lookupId(value);
  }

  /** The string of an id. */
  value(id: number): string {
    const known = this.values.get(id);
    if (known !== undefined) return known;
    const row = this.selectValue.get(id) as [string] | undefined;
    if (!row) throw new Error(`[store-sqlite] name id ${id} is missing from the names table`);
    this.remember(row[0], id);
    return row[0];
  }

  /** The transaction that added names committed: they are stable now. */
  committed(): void {
    this.pending.clear();
  }

  /** The transaction rolled back: forget the ids it handed out. */
  forgetUncommitted(): void {
    for (const value of this.pending) {
      const id = this.ids.get(value);
      this.ids.delete(value);
      if (id !== undefined) this.values.delete(id);
    }
    this.pending.clear();
  }

  private lookupId(value: string): number | undefined {
    const row = this.select.get(value) as [number] | undefined;
    if (row) this.remember(value, row[0]);
    return row?.[0];
  }

  private remember(value: string, id: number): void {
    this.ids.set(value, id);
    this.values.set(id, value);
  }
}
