/**
 * The MongoDB store beyond the contract: the indexes the queries use (explained), re-ingest from
 * a second machine, the TTL index, and errors mapped at the boundary without the password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter, isSatError } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MongoStore, openMongoStore } from '../src/index.js';
import { databaseFor, type TestMongo, testMongo } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1, 12);
const SECRET = 'hunter2-Sup3r-secret';

let mongo: TestMongo;
const dirs: string[] = [];
const open: MongoStore[] = [];
beforeAll(async () => {
  mongo = await testMongo();
});
afterAll(() => mongo?.close());
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function logOf(
  sessions: number,
  perSession: number,
  first = 0,
  dir = mkdtempSync(join(tmpdir(), 'sat-mongo-store-')),
  name = 'logs',
): Promise<{ dir: string; logsDir: string }> {
  dirs.push(dir);
  const logsDir = join(dir, name);
  const writer = new EventWriter({ logsDir });
  for (let i = first; i < first + sessions; i++)
    for (const event of realisticSessionEvents(
      {
        session: `s-${i}`,
        seed: 3 + i,
        start: NOW - (9 - i) * DAY,
        phase: 1,
        phaseChanges: [{ at: 100, phase: 2 }],
      },
      perSession,
    ))
      writer.append(event);
  await writer.close();
  return { dir, logsDir };
}

async function store(options: Parameters<typeof openMongoStore>[0]): Promise<MongoStore> {
  const opened = await openMongoStore({ machine: 'm1', user: 'u1', ...options });
  open.push(opened);
  return opened;
}

/** Every answer the five queries (and, with `team`, the team query and owner filters) give for a few filters, as JSON. */
async function answers(s: MongoStore, team = true): Promise<string> {
  const out: unknown[] = [];
  const owners = [
    { user: 'u1', days: 'all' as const },
    { machine: 'm1', days: 7, now: NOW },
  ];
  for (const query of [
    { days: 'all' as const },
    { days: 7, now: NOW },
    { session: 's-1' },
    { phase: '2', days: 'all' as const },
    ...(team ? owners : []),
  ])
    out.push(
      await s.toolEffectiveness(query),
      await s.agentPerformance(query),
      await s.errorPatterns(query),
      await s.costAnalysis(query),
      await s.sessionSummary(query),
      team ? await s.team(query) : null,
    );
  return JSON.stringify(out);
}

function stages(plan: unknown, out: string[] = []): string[] {
  if (Array.isArray(plan)) for (const item of plan) stages(item, out);
  else if (plan && typeof plan === 'object') {
    const doc = plan as Document;
    if (typeof doc.stage === 'string') out.push(doc.indexName ? `${doc.stage}:${doc.indexName}` : doc.stage);
    for (const value of Object.values(doc)) stages(value, out);
  }
  return out;
}

describe('the MongoDB store', () => {
  it('answers every query from the rollups and facts by an index, never reading the events collection', async () => {
    const { logsDir, dir } = await logOf(3, 400);
    const client = await new MongoClient(mongo.url, { monitorCommands: true }).connect();
    try {
      const s = await store({ url: mongo.url, database: databaseFor(dir), logsDir, client });
      await s.ingestLog();
      const reads: Document[] = [];
      client.on('commandStarted', (e) => {
        if (e.commandName === 'aggregate' || e.commandName === 'find')
          reads.push({ ...e.command, $db: e.databaseName });
      });
      await answers(s);
      expect(reads.length).toBeGreaterThan(20);
      const plans = new Set<string>();
      for (const read of reads) {
        const collection = (read.aggregate ?? read.find) as string;
        expect(collection).not.toBe('events');
        const pipeline = read.aggregate
          ? read.pipeline
          : [{ $match: read.filter ?? {} }, ...(read.sort ? [{ $sort: read.sort }] : [])];
        const filtered =
          (pipeline[0]?.$match && Object.keys(pipeline[0].$match).length > 0) || read.sort !== undefined;
        const plan = await client
          .db(read.$db)
          .command({ explain: { aggregate: collection, pipeline, cursor: {} }, verbosity: 'queryPlanner' });
        const used = stages(plan.queryPlanner ?? plan.stages ?? plan);
        if (filtered)
          expect(
            used.some((stage) => stage.startsWith('IXSCAN')),
            `${collection} ${JSON.stringify(pipeline[0])}`,
          ).toBe(true);
        else if (collection === 'sessions')
          // The team query's session count over all time: one document per session, grouped.
          expect(pipeline.map((stage: Document) => Object.keys(stage)[0])).toEqual(['$group', '$sort']);
        else expect(collection, 'only rollups are read whole').toMatch(/^rollup_/);
        if (collection === 'sessions' && read.sort) expect(used).toContain('IXSCAN:last_event');
        plans.add(`${collection} ${used.join(' > ')}`);
      }
      expect(
        [...plans].some((p) => p.startsWith('tools IXSCAN:session_seq') || p.includes('IXSCAN:session_seq')),
      ).toBe(true);
      expect([...plans].some((p) => /^rollup_tool_day .*IXSCAN:day_phase_agent/.test(p))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('re-ingesting the same log, from the same machine or a second one, changes no answer', async () => {
    const { logsDir, dir } = await logOf(3, 300);
    const database = databaseFor(dir);
    const first = await store({ url: mongo.url, database, logsDir });
    expect((await first.ingestLog()).applied).toBe(900);
    const before = await answers(first);
    const again = await first.ingestLog();
    expect(again.applied).toBe(0);
    const second = await store({ url: mongo.url, database, logsDir, machine: 'm2', user: 'u2' });
    const fromSecond = await second.ingestLog();
    expect([fromSecond.applied, fromSecond.duplicates]).toEqual([0, 900]);
    expect(await answers(second)).toBe(before);
    expect(await answers(first)).toBe(before);
  });

  it('two machines with different sessions: the store holds their union, nothing counted twice', async () => {
    const a = await logOf(2, 250, 0);
    const b = await logOf(2, 250, 2, a.dir, 'logs-b');
    const union = await logOf(4, 250, 0, a.dir, 'logs-union');
    const database = databaseFor(a.dir);
    await (
      await store({ url: mongo.url, database, logsDir: a.logsDir, machine: 'ma', user: 'ua' })
    ).ingestLog();
    const shared = await store({ url: mongo.url, database, logsDir: b.logsDir, machine: 'mb', user: 'ub' });
    await shared.ingestLog();
    const single = await store({ url: mongo.url, database: `${database}_ref`, logsDir: union.logsDir });
    await single.ingestLog();
    expect(await answers(shared, false)).toBe(await answers(single, false));
  });

  it("team: two machines' sessions are the union per owner; one session ingested on both is counted once, rollups too", async () => {
    const a = await logOf(2, 250, 0);
    const b = await logOf(2, 250, 2, a.dir, 'logs-b');
    const database = databaseFor(a.dir);
    const first = await store({ url: mongo.url, database, logsDir: a.logsDir, machine: 'ma', user: 'ua' });
    await first.ingestLog();
    const second = await store({ url: mongo.url, database, logsDir: b.logsDir, machine: 'mb', user: 'ub' });
    await second.ingestLog();
    const owners = async (s: MongoStore) =>
      (await s.team({ days: 'all' })).rows.map((r) => [r.user, r.machine, r.sessions, r.tokens.total]);
    const before = await owners(second);
    expect(new Set(before.map(([user, machine]) => `${user}@${machine}`))).toEqual(
      new Set(['ua@ma', 'ub@mb']),
    );
    expect(before.reduce((n, row) => n + (row[2] as number), 0)).toBe(4);
    const ua = await second.costAnalysis({ days: 'all', user: 'ua' });
    const ub = await second.costAnalysis({ days: 'all', machine: 'mb' });
    const all = await second.costAnalysis({ days: 'all' });
    expect(ua.tokens.total + ub.tokens.total).toBe(all.tokens.total);
    expect(ua.tokens.total).toBeGreaterThan(0);
    // The second machine ingests the first one's log too (a shared transcript): nothing counts twice.
    const again = await second.ingestLog(a.logsDir);
    expect([again.applied, again.duplicates]).toEqual([0, 500]);
    expect(await owners(first)).toEqual(before);
    expect(await second.costAnalysis({ days: 'all' })).toEqual(all);
    // A rebuild on one machine clears only what it wrote: the other machine's figures stay once.
    await first.rebuild();
    expect(await owners(second)).toEqual(before);
    expect(await second.costAnalysis({ days: 'all' })).toEqual(all);
  });

  it("imported events keep their origin's owner; checkpoints stay the ingesting machine's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sat-mongo-store-'));
    dirs.push(dir);
    const logsDir = join(dir, 'logs');
    const writer = new EventWriter({ logsDir });
    const origin = { user: 'ana', machine: 'ana-laptop', bundle: 'b1', seq: 1 };
    for (const event of realisticSessionEvents(
      { session: 'shared', seed: 9, start: NOW - DAY, phase: 1 },
      120,
    ))
      writer.append({ ...event, meta: { origin } });
    await writer.close();
    const database = databaseFor(dir);
    await (await store({ url: mongo.url, database, logsDir, machine: 'laptop-7', user: 'bo' })).ingestLog();
    const client = await new MongoClient(mongo.url).connect();
    try {
      const db = client.db(database);
      const tools = await db.collection('tools').find({}).toArray();
      expect(tools.length).toBeGreaterThan(0);
      for (const doc of tools)
        expect([doc.user, doc.machine, doc.ingestedBy]).toEqual(['ana', 'ana-laptop', 'laptop-7']);
      const session = await db.collection('sessions').findOne({ _id: 'shared' as never });
      expect([session?.user, session?.machine]).toEqual(['ana', 'ana-laptop']);
      const checkpoints = await db.collection('checkpoints').find({}).toArray();
      expect(checkpoints.map((c) => c.machine)).toEqual(['laptop-7']);
    } finally {
      await client.close();
    }
  });

  it('puts machine and user on every document it writes', async () => {
    const { logsDir, dir } = await logOf(1, 200);
    const database = databaseFor(dir);
    await (await store({ url: mongo.url, database, logsDir, machine: 'laptop-7', user: 'ana' })).ingestLog();
    const client = await new MongoClient(mongo.url).connect();
    try {
      const db = client.db(database);
      const collections = (await db.listCollections().toArray()).map((c) => c.name);
      expect(collections).toEqual(
        expect.arrayContaining(['events', 'sessions', 'tools', 'rollup_usage_day']),
      );
      for (const name of collections) {
        const docs = await db.collection(name).find({}).toArray();
        for (const doc of docs) expect([name, doc.machine, doc.user]).toEqual([name, 'laptop-7', 'ana']);
      }
    } finally {
      await client.close();
    }
  });

  it('expires raw event documents with store.mongo.ttlDays, and keeps the rollups', async () => {
    const { logsDir, dir } = await logOf(1, 50);
    const database = databaseFor(dir);
    const client = await new MongoClient(mongo.url).connect();
    try {
      await (await store({ url: mongo.url, database, logsDir, ttlDays: 7 })).ingestLog();
      const ttl = async (name: string) =>
        (await client.db(database).collection(name).listIndexes().toArray()).filter(
          (i) => i.expireAfterSeconds !== undefined,
        );
      expect((await ttl('events')).map((i) => [i.key, i.expireAfterSeconds])).toEqual([
        [{ at: 1 }, 7 * 86_400],
      ]);
      for (const rollup of ['rollup_usage_day', 'rollup_tool_day', 'sessions'])
        expect(await ttl(rollup)).toEqual([]);
      await store({ url: mongo.url, database, logsDir, ttlDays: 30 });
      expect((await ttl('events')).map((i) => i.expireAfterSeconds)).toEqual([30 * 86_400]);
    } finally {
      await client.close();
    }
  });
});

describe('the MongoDB store maps failures at its boundary', () => {
  const check = (error: unknown, code: string, text: RegExp) => {
    expect(isSatError(error), `${String(error)} ${JSON.stringify(error)}`).toBe(true);
    const e = error as { code: string; message: string; details: unknown; stack?: string; cause?: unknown };
    expect(e.code).toBe(code);
    expect(e.message).toMatch(text);
    expect(e.message).toMatch(/^\[store-mongo\]/);
    for (const shown of [e.message, JSON.stringify(e.details), e.stack ?? '', String(e.cause ?? '')])
      expect(shown).not.toContain(SECRET);
  };

  it('an unreachable server: TARGET_UNAVAILABLE, the password in no message, detail or location', async () => {
    const { logsDir } = await logOf(1, 5);
    const url = `mongodb://ana:${SECRET}@127.0.0.1:1/?authSource=admin`;
    const error = await openMongoStore({
      url,
      logsDir,
      machine: 'm',
      user: 'u',
      serverSelectionTimeoutMS: 300,
    }).catch((e) => e);
    check(
      error,
      'TARGET_UNAVAILABLE',
      /cannot open mongodb:\/\/ana@127\.0\.0\.1:1\/sat: the server cannot be reached/,
    );
  });

  it('bad credentials: a message naming the user and the database', async (ctx) => {
    if (!mongo.server) ctx.skip('needs the test server (no user exists there)');
    const { logsDir } = await logOf(1, 5);
    const url = `${mongo.url.replace('mongodb://', `mongodb://ana:${SECRET}@`)}?authSource=team`;
    const error = await openMongoStore({
      url,
      logsDir,
      machine: 'm',
      user: 'u',
      serverSelectionTimeoutMS: 2000,
    }).catch((e) => e);
    check(error, 'TARGET_ERROR', /authentication failed for user 'ana' on database 'team'/);
  });

  it('no permission, a document too large, and a dropped connection; the batch is applied once after them', async (ctx) => {
    if (!mongo.server) ctx.skip('fault injection needs the test server');
    const server = mongo.server!;
    const { logsDir, dir } = await logOf(2, 300);
    const reference = await store({ url: mongo.url, database: `${databaseFor(dir)}_ref`, logsDir });
    await reference.ingestLog();
    const s = await store({ url: mongo.url, database: databaseFor(dir), logsDir });
    server.faults.failCommand = { command: 'update', codeName: 'Unauthorized', times: 1 };
    check(
      await s.ingestLog().catch((e) => e),
      'TARGET_ERROR',
      /user '\(none\)' is not allowed .* grant it readWrite on 'sat_test_/,
    );
    server.faults.failCommand = { command: 'insert', codeName: 'BSONObjectTooLarge', times: 1 };
    check(await s.ingestLog().catch((e) => e), 'TARGET_ERROR', /larger than MongoDB's 16 MiB limit/);
    server.faults.dropConnections = 100;
    check(await s.ingestLog().catch((e) => e), 'TARGET_UNAVAILABLE', /cannot be reached/);
    server.faults.dropConnections = 0;
    await s.ingestLog();
    expect(await answers(s)).toBe(await answers(reference));
  });
});
