/**
 * `sat migrate` between SQLite and MongoDB (the wire-protocol test server): there and back with
 * equal answers, a difference injected between copy and verify rolls back and names it, a dry run
 * writes nothing, a database holding sat data is refused and left as it was, and the password of
 * the URL never shows.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { listSessions, readSessionEvents } from '@sat/core';
import { type MongoTestServer, startMongoTestServer } from '@sat/store-mongo/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.js';
import { migrateStore } from '../src/migrate/migrate-store.js';
import { sat, tempDir } from './helpers.js';

let server: MongoTestServer;
let client: MongoClient;
beforeAll(async () => {
  server = await startMongoTestServer();
  client = await new MongoClient(server.url).connect();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

/** A data root with the bundled sample sessions imported (and the SQLite store filled). */
async function sampleHome(): Promise<string> {
  const home = tempDir();
  const imported = await sat(['--home', home, 'import', '--sample']);
  expect(imported.code, imported.stderr).toBe(0);
  return home;
}

const configOf = (home: string) =>
  existsSync(join(home, 'sat.config.json')) ? readFileSync(join(home, 'sat.config.json'), 'utf8') : undefined;

const collections = async (database: string) =>
  (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

const REPORTS = [
  ['stats', 'cost', '--json', '--days', 'all'],
  ['stats', 'tools', '--json', '--days', 'all'],
  ['stats', 'errors', '--json', '--days', 'all'],
  ['stats', 'agents', '--json'],
];

async function answers(home: string): Promise<string[]> {
  const out: string[] = [];
  for (const args of REPORTS) {
    const run = await sat(['--home', home, ...args]);
    expect(run.code, run.stderr).toBe(0);
    out.push(run.stdout);
  }
  return out;
}

describe('sat migrate', () => {
  it('goes to MongoDB and back with the same answers, switching store.kind each time', async () => {
    const home = await sampleHome();
    const before = await answers(home);
    const to = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      server.url,
      '--database',
      'there',
      '--yes',
      '--json',
    ]);
    expect(to.code, to.stderr).toBe(0);
    const result = JSON.parse(to.stdout);
    expect(result).toMatchObject({ ok: true, from: 'sqlite', to: 'mongo', differences: [] });
    expect(result.copied.applied).toBe(result.events);
    expect(result.verification.queries).toBeGreaterThan(30);
    expect(JSON.parse(configOf(home)!).store).toEqual({
      kind: 'mongo',
      mongo: { url: server.url, database: 'there' },
    });
    expect(statSync(join(home, 'sat.config.json')).mode & 0o777).toBe(0o600);
    expect(await answers(home)).toEqual(before);

    const back = await sat(['--home', home, 'migrate', '--to', 'sqlite', '--yes']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(
      /verified 8 count\(s\), \d+ session\(s\) field by field, \d+ query answer\(s\): all equal/,
    );
    expect(JSON.parse(configOf(home)!).store.kind).toBe('sqlite');
    expect(readdirSync(join(home, 'analytics')).some((f) => f.startsWith('sat.db.before-migrate-'))).toBe(
      true,
    );
    expect(await answers(home)).toEqual(before);
  });

  it('rolls back a copy that differs: drops only what it wrote, names the difference, keeps the config', async () => {
    const home = await sampleHome();
    await client.db('differs').collection('users').insertOne({ name: 'kept' });
    const err = Object.assign(new PassThrough(), { isTTY: true });
    let shown = '';
    err.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
    const ctx = createContext({ home }, { stdout: new PassThrough(), stderr: err, stdin: new PassThrough() });
    const result = await migrateStore(
      ctx,
      { to: 'mongo', url: server.url, database: 'differs', dryRun: false, json: false },
      {
        beforeVerify: async () => {
          await client
            .db('differs')
            .collection('sessions')
            .updateMany({}, { $set: { model: 'corrupted' } });
        },
      },
    );
    expect(result.ok).toBe(false);
    expect(result.differences[0]).toMatchObject({ check: 'row', field: 'model', target: 'corrupted' });
    expect(result.differences[0]!.what).toMatch(/^session /);
    expect(result.rolledBack).toContain('sessions');
    expect(shown).toMatch(/copying \[.*\] \d+% \| [\d,]+ of [\d,]+ events/);
    expect(await collections('differs')).toEqual(['users']);
    expect(configOf(home)).toBeUndefined();

    const cli = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      `${server.url}?serverSelectionTimeoutMS=2000`,
      '--database',
      'differs',
      '--yes',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('a dry run writes nothing; without a terminal and --yes it refuses', async () => {
    const home = await sampleHome();
    const dry = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      server.url,
      '--database',
      'dry',
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/sqlite -> mongo: would copy [\d,]+ event\(s\) of \d+ session\(s\)/);
    expect(dry.stdout).toContain('dry run: nothing was written');
    expect(await collections('dry')).toEqual([]);
    expect(configOf(home)).toBeUndefined();
    const refused = await sat(['--home', home, 'migrate', '--to', 'mongo', '--url', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('give --yes');
    expect(await collections('sat')).toEqual([]);
  });

  it('refuses a database that holds sat data, leaving it as it was', async () => {
    const other = await sampleHome();
    const first = await sat(
      ['--home', other, 'migrate', '--to', 'mongo', '--url', server.url, '--database', 'team', '--yes'],
      {
        env: { SAT_MACHINE: 'laptop-a' },
      },
    );
    expect(first.code, first.stderr).toBe(0);
    const before = await client.db('team').collection('events').countDocuments();
    const home = tempDir();
    expect((await sat(['--home', home, 'import', '--sample'])).code).toBe(0);
    const refused = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      server.url,
      '--database',
      'team',
      '--yes',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /already holds \d+ sat document\(s\) of machine\(s\) laptop-a.*choose another database/,
    );
    expect(await client.db('team').collection('events').countDocuments()).toBe(before);
    expect(configOf(home)).toBeUndefined();
  });

  it('never shows the password: unreachable server, failed authentication', async () => {
    const home = await sampleHome();
    const down = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      'mongodb://ana:pw-Secret-9@127.0.0.1:1/?serverSelectionTimeoutMS=300',
      '--yes',
      '--json',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      'cannot inspect mongodb://ana@127.0.0.1:1/sat: the server cannot be reached',
    );
    const port = new URL(server.url).port;
    const auth = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      `mongodb://ana:pw-Secret-9@127.0.0.1:${port}/`,
      '--dry-run',
    ]);
    expect(auth.code).toBe(1);
    expect(auth.stderr).toContain("authentication failed for user 'ana'");
    for (const run of [down, auth]) expect(run.stdout + run.stderr).not.toContain('pw-Secret-9');
    expect(configOf(home)).toBeUndefined();
  });

  it('going back to SQLite rolls back a differing copy: staging file removed, sat.db and config untouched', async () => {
    const home = await sampleHome();
    const to = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      server.url,
      '--database',
      'back',
      '--yes',
    ]);
    expect(to.code, to.stderr).toBe(0);
    const config = configOf(home);
    const db = readFileSync(join(home, 'analytics', 'sat.db'));
    const [first] = await listSessions(join(home, 'logs'));
    const ctx = createContext(
      { home },
      { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() },
    );
    const result = await migrateStore(
      ctx,
      { to: 'sqlite', dryRun: false, json: true },
      {
        beforeVerify: async (target) => {
          for await (const event of readSessionEvents(join(home, 'logs'), first!.session)) {
            await target.apply([{ ...event, id: `${event.id}-extra`, seq: event.seq + 100_000 }]);
            break;
          }
        },
      },
    );
    expect(result.ok).toBe(false);
    expect(result.differences[0]).toMatchObject({ check: 'count', what: 'applied events' });
    expect(readdirSync(join(home, 'analytics')).filter((f) => f.startsWith('sat.db.migrating'))).toEqual([]);
    expect(readFileSync(join(home, 'analytics', 'sat.db')).equals(db)).toBe(true);
    expect(configOf(home)).toBe(config);
  });

  it('a failure during the copy (no permission) rolls back and says so, the config untouched', async () => {
    const home = await sampleHome();
    server.faults.failCommand = { command: 'insert', codeName: 'Unauthorized', times: 1 };
    const run = await sat([
      '--home',
      home,
      'migrate',
      '--to',
      'mongo',
      '--url',
      server.url,
      '--database',
      'denied',
      '--yes',
    ]);
    server.faults.failCommand = undefined;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /sat: migration failed: \[store-mongo\] cannot write to mongodb:\/\/127\.0\.0\.1:\d+\/denied: .*grant it readWrite on 'denied'/,
    );
    expect(run.stderr).toMatch(
      /sat: rolled back: removed .*events.* from mongodb:\/\/127\.0\.0\.1:\d+\/denied/,
    );
    expect(run.stderr).toContain('sat: the config was not changed: store.kind stays sqlite');
    expect(await collections('denied')).toEqual([]);
    expect(configOf(home)).toBeUndefined();
  });

  it('says which package to install when @sat/store-mongo is missing', async () => {
    const home = await sampleHome();
    const ctx = createContext(
      { home },
      { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() },
    );
    const missing = Object.assign(new Error("Cannot find package '@sat/store-mongo'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(
      migrateStore(
        ctx,
        { to: 'mongo', url: server.url, dryRun: true, json: true },
        { importMongo: () => Promise.reject(missing) },
      ),
    ).rejects.toThrow('needs the package @sat/store-mongo, which is not installed: npm i @sat/store-mongo');
  });
});
