import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadConfig } from '@sat/core';
import { MEASURE_FAMILIES, ROLLUPS } from '@sat/core/projections';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openSqliteStore, SCHEMA_VERSION } from '../src/index.js';
import { open, tempDir } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('migrations', () => {
  it('a fresh database gets the whole schema, in WAL mode, at <config.paths.analytics>/sat.db', async () => {
    const root = tempDir();
    const config = loadConfig({ cwd: root, root, env: {} });
    const store = await open({ config });
    expect(store.file).toBe(join(root, 'analytics', 'sat.db'));
    expect(store.logsDir).toBe(join(root, 'logs'));
    const status = await store.status();
    expect(status.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(Object.keys(MIGRATIONS).length);
    await store.close();

    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const applied = db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all();
      expect(applied).toEqual(Object.keys(MIGRATIONS));
      // Every rollup of core has a table with its dimensions and measures.
      for (const [name, rollup] of Object.entries(ROLLUPS)) {
        const columns = db.prepare(`SELECT name FROM pragma_table_info('rollup_${name}')`).pluck().all();
        expect(columns).toEqual([...rollup.dims, ...Object.keys(MEASURE_FAMILIES[rollup.family])]);
      }
    } finally {
      db.close();
    }
  });

  it('runs each migration once: reopening applies none and keeps the data', async () => {
    const dir = tempDir();
    const file = join(dir, 'sat.db');
    const first = await open({ file, logsDir: join(dir, 'logs') });
    await first.apply([
      {
        id: 'e1',
        session: 's',
        seq: 1,
        ts: '2026-02-01T10:00:00.000Z',
        type: 'tool_usage',
        agent: 'main',
        v: 1,
        data: { tool: 'Read', success: true },
      },
    ]);
    await first.close();
    const again = await open({ file, logsDir: join(dir, 'logs') });
    expect((await again.status()).events).toBe(1);
    expect((await again.toolEffectiveness({ days: 'all' })).tools.map((t) => t.tool)).toEqual(['Read']);
  });

  it('refuses a database from a newer version with STORE_TOO_NEW, and leaves it untouched', async () => {
    const dir = tempDir();
    const file = join(dir, 'sat.db');
    await (await openSqliteStore({ file, logsDir: dir })).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha(file);
    const attempt = openSqliteStore({ file, logsDir: dir });
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_TOO_NEW', isSatError: true });
    await expect(attempt).rejects.toThrow(
      `[store-sqlite] ${file} was written by a newer version of @sat/store-sqlite (schema ${SCHEMA_VERSION + 1}; this version knows schema ${SCHEMA_VERSION}): upgrade sat, or move the file away and run 'sat rebuild'`,
    );
    expect(sha(file)).toBe(before);
    expect(existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).length : 0).toBe(0);
  });

  it('refuses a database that ran a migration this version does not know', async () => {
    const dir = tempDir();
    const file = join(dir, 'sat.db');
    await (await openSqliteStore({ file, logsDir: dir })).close();
    const db = new Database(file);
    db.prepare(
      `INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01')`,
    ).run();
    db.pragma('user_version = 0');
    db.close();
    await expect(openSqliteStore({ file, logsDir: dir })).rejects.toMatchObject({
      code: 'STORE_TOO_NEW',
      message: expect.stringContaining('migration 9999_from_the_future'),
    });
  });
});

describe('migration 0003 (owners)', () => {
  it('a schema-2 store migrates and rebuilds its projections with owners from the log', async () => {
    const { Kysely, Migrator, SqliteDialect } = await import('kysely');
    const { EventWriter } = await import('@sat/core');
    const dir = tempDir();
    const file = join(dir, 'sat.db');
    const logsDir = join(dir, 'logs');
    const writer = new EventWriter({ logsDir });
    const ts = '2026-02-01T10:00:00.000Z';
    writer.append({
      type: 'tool_usage',
      session: 's',
      agent: 'main',
      ts,
      data: { tool: 'Read', success: true },
    });
    writer.append({
      type: 'tool_usage',
      session: 's',
      agent: 'main',
      ts,
      data: { tool: 'Bash', success: false },
      meta: { origin: { user: 'ana', machine: 'ana-laptop', bundle: 'b1', seq: 7 } },
    });
    await writer.close();
    // The database as version 2 left it: its schema, the projection versions it built with, a checkpoint.
    const old = new Database(file);
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: old }) });
    const two = Object.fromEntries(Object.entries(MIGRATIONS).slice(0, 2));
    const migrated = await new Migrator({
      db: kysely,
      provider: { getMigrations: async () => two },
    }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    old.pragma('user_version = 2');
    old.prepare(`INSERT INTO names (id, value) VALUES (1, 's')`).run();
    old
      .prepare(`INSERT INTO checkpoints (session, last_seq, state) VALUES (1, 2, ?)`)
      .run(JSON.stringify({ session: 's', lastSeq: 2, phase: '' }));
    const versions = { sessions: 1, agent_invocations: 1, tool_uses: 1, errors: 2 };
    const stored = { ...versions, file_operations: 1, decisions: 1, validations: 1, api_usage: 2 };
    old
      .prepare(`INSERT INTO store_meta (key, value) VALUES ('projection_versions', ?)`)
      .run(JSON.stringify(stored));
    await kysely.destroy();

    const store = await open({ file, logsDir, identity: { user: 'me', machine: 'my-laptop' } });
    const status = await store.status();
    expect(status.schemaVersion).toBe(3);
    expect(status.lastRebuild?.reason).toMatch(
      /^projection version changed: sessions v1 -> v2, .*tool_uses v1 -> v2/,
    );
    const tools = async (user: string) =>
      (await store.toolEffectiveness({ days: 'all', user })).tools.map((t) => t.tool);
    expect([await tools('me'), await tools('ana')]).toEqual([['Read'], ['Bash']]);
    expect(
      (await store.team({ days: 'all' })).rows.map((r) => [r.user, r.machine, r.sessions, r.toolCalls]),
    ).toEqual([
      ['ana', 'ana-laptop', 0, 1],
      ['me', 'my-laptop', 1, 1],
    ]);
    await store.close();
  });
});
