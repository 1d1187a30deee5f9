import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSqliteDatabase, moveDamagedDatabaseAside } from '../src/index.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (
  file: string,
) => {
  exec(sql: string): void;
  close(): void;
};

function database(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sat-health-')), 'sat.db');
  const db = new Database(file);
  db.exec("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x');");
  db.close();
  return file;
}

describe('checkSqliteDatabase', () => {
  it('passes a sound database and fails a file that is not one, with SQLite’s words', () => {
    const file = database();
    expect(checkSqliteDatabase(file)).toEqual({ ok: true, problems: [] });
    writeFileSync(file, 'garbage'.repeat(1000));
    const check = checkSqliteDatabase(file);
    expect(check.ok).toBe(false);
    expect(check.problems.join(' ')).toMatch(/not a database|malformed/);
  });

  it('moves a damaged database aside with its -wal and -shm', () => {
    const file = database();
    writeFileSync(`${file}-wal`, '');
    writeFileSync(`${file}-shm`, '');
    const aside = moveDamagedDatabaseAside(file);
    expect(aside).toMatch(/sat\.db\.damaged-\d{4}-/);
    const names = readdirSync(join(file, '..')).sort();
    expect(names).toEqual([aside, `${aside}-shm`, `${aside}-wal`].map((f) => f.split('/').pop()).sort());
  });
});
