/**
 * `sat migrate` between SQLite and MongoDB (the wire-protocol test server): there and back with
 * equal answers, a difference injected between copy and verify rolls back and names it, a dry run
 * writes nothing, a database holding sat data is refused and left as it was, and the password of
 * the URL never shows.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
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
    const err = new PassThrough();
    const ctx = createContext({ home }, { stdout: new PassThrough(), stderr: err, stdin: new PassThrough() });
    const result = await migrateStore(
      ctx,
      { to: 'mongo', url: server.url, database: 'differs', dryRun: false, json: true },
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
});
