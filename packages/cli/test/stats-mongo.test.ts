/**
 * `store.kind: mongo`: `sat stats` reads the MongoDB store (here the wire-protocol test server of
 * `@sat/store-mongo/testing`) and prints exactly what it prints on SQLite; `sat backup --target
 * mongo` and `sat restore --target mongo` go through GridFS; a configured but unreachable server
 * says so.
 */
import { type MongoTestServer, startMongoTestServer } from '@sat/store-mongo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const SESSION = '55604662-cf2a-4331-851a-ec234028f8ca';

let server: MongoTestServer;
beforeAll(async () => {
  server = await startMongoTestServer();
});
afterAll(() => server?.close());

const mongoEnv = (database: string) => ({
  SAT_STORE: 'mongo',
  SAT_MONGO_URL: server.url,
  SAT_MONGO_DATABASE: database,
});

describe('sat with store.kind mongo', () => {
  it('sat stats <report> --json prints the same bytes as on SQLite', async () => {
    const home = tempDir();
    expect((await sat(['--home', home, 'import', '--sample'])).code).toBe(0);
    const env = mongoEnv('cli_stats');
    for (const args of [
      ['stats', 'cost', '--json', '--days', 'all'],
      ['stats', 'cost', '--json', '--session', SESSION],
      ['stats', 'tools', '--json', '--days', 'all'],
      ['stats', 'agents', '--json', '--days', 'all'],
      ['stats', 'errors', '--json', '--days', 'all'],
      ['stats', 'session', SESSION.slice(0, 8), '--json'],
    ]) {
      const sqlite = await sat(['--home', home, ...args]);
      const mongo = await sat(['--home', home, ...args], { env });
      expect([sqlite.code, mongo.code, mongo.stderr], args.join(' ')).toEqual([0, 0, '']);
      expect(mongo.stdout, args.join(' ')).toBe(sqlite.stdout);
    }
    const cost = ['stats', 'cost', '--json', '--days', 'all'];
    const before = (await sat(['--home', home, ...cost], { env })).stdout;
    expect(JSON.parse(before).cost).toBeGreaterThan(0);
    const rebuilt = await sat(['--home', home, 'rebuild', '--json'], { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout).events).toBeGreaterThan(0);
    expect((await sat(['--home', home, ...cost], { env })).stdout).toBe(before);
  });

  it('backs up to GridFS and restores from it', async () => {
    const home = tempDir();
    expect((await sat(['--home', home, 'import', '--sample'])).code).toBe(0);
    const env = mongoEnv('cli_backup');
    const backup = await sat(['--home', home, 'backup', SESSION, '--target', 'mongo', '--json'], { env });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(SESSION);
    const listed = await sat(['--home', home, 'backups', '--target', 'mongo', '--verify', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(SESSION);
    const other = tempDir();
    const restore = await sat(['--home', other, 'restore', SESSION, '--target', 'mongo', '--json'], { env });
    expect(restore.code, restore.stderr).toBe(0);
    const shown = await sat(['--home', other, 'show', SESSION, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('0.1444475');
  });

  it('an unreachable MongoDB: the import keeps its events and warns, a backup to it is queued', async () => {
    const home = tempDir();
    const env = { SAT_STORE: 'mongo', SAT_MONGO_URL: 'mongodb://ana:pw-Secret-9@127.0.0.1:1/' };
    const imported = await sat(['--home', home, 'import', '--sample'], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(
      /warning: analytics not updated \(\[store-mongo\] cannot open mongodb:\/\/ana@127\.0\.0\.1:1\/sat: the server cannot be reached/,
    );
    expect(imported.stdout + imported.stderr).not.toContain('pw-Secret-9');
    const sessions = await sat(['--home', home, 'sessions', '--json']);
    expect(sessions.stdout).toContain(SESSION);
    const backup = await sat(['--home', home, 'backup', SESSION, '--target', 'mongo', '--json'], {
      env: { SAT_MONGO_URL: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300' },
    });
    expect(backup.stdout + backup.stderr).toMatch(/queued/);
    expect(backup.stdout + backup.stderr).not.toContain('pw-Secret-9');
  });

  it('an unreachable MongoDB is named without its password', async () => {
    const home = tempDir();
    const env = {
      SAT_STORE: 'mongo',
      SAT_MONGO_URL: 'mongodb://ana:pw-Secret-9@127.0.0.1:1/?serverSelectionTimeoutMS=300',
    };
    const run = await sat(['--home', home, 'stats', 'cost', '--json'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /\[store-mongo\] cannot open mongodb:\/\/ana@127\.0\.0\.1:1\/sat: the server cannot be reached/,
    );
    expect(run.stdout + run.stderr).not.toContain('pw-Secret-9');
  });
});
