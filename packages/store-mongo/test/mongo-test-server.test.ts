import { GridFSBucket, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MongoTestServer, startMongoTestServer } from '../src/testing.js';

/** Test documents with plain ids. */
// biome-ignore lint/suspicious/noExplicitAny: documents of any shape, with plain ids
type Doc = { _id?: number | string } & Record<string, any>;

let server: MongoTestServer;
let client: MongoClient;

beforeAll(async () => {
  server = await startMongoTestServer();
  client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 2000 }).connect();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

describe('startMongoTestServer with the official driver', () => {
  it('answers the handshake, ping and buildInfo', async () => {
    const admin = client.db('admin');
    expect((await admin.command({ ping: 1 })).ok).toBe(1);
    expect((await admin.command({ buildInfo: 1 })).gitVersion).toBe('sat-mongo-test-server');
  });

  it('inserts, finds with sort, skip, limit and projection, and pages through getMore', async () => {
    const c = client.db('t1').collection<Doc>('items');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, n: i % 7, s: `x${i}` })));
    const top = await c
      .find({ n: { $gte: 5 } }, { projection: { s: 1 } })
      .sort({ _id: -1 })
      .skip(1)
      .limit(3)
      .toArray();
    expect(top).toEqual([
      { _id: 243, s: 'x243' },
      { _id: 237, s: 'x237' },
      { _id: 236, s: 'x236' },
    ]);
    const all = await c.find({}, { batchSize: 40 }).toArray();
    expect(all).toHaveLength(250);
    expect(server.commandCounts.get('getMore')).toBeGreaterThan(0);
    expect(await c.countDocuments({ n: 3 })).toBe(36);
    expect((await c.distinct('n')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('updates with operators, upserts with $setOnInsert, deletes', async () => {
    const c = client.db('t2').collection<Doc>('r');
    await c.updateOne(
      { _id: 'a' },
      { $inc: { n: 2 }, $setOnInsert: { first: 1 }, $min: { lo: 5 }, $max: { hi: 5 } },
      { upsert: true },
    );
    await c.updateOne(
      { _id: 'a' },
      {
        $inc: { n: 3, 'h.7': 1 },
        $setOnInsert: { first: 2 },
        $min: { lo: 3 },
        $max: { hi: 4 },
        $addToSet: { s: { $each: ['x', 'y'] } },
      },
      { upsert: true },
    );
    expect(await c.findOne({ _id: 'a' })).toEqual({
      _id: 'a',
      n: 5,
      first: 1,
      lo: 3,
      hi: 5,
      h: { 7: 1 },
      s: ['x', 'y'],
    });
    const r = await c.updateMany({}, { $set: { k: true } });
    expect(r.matchedCount).toBe(1);
    expect((await c.deleteMany({ k: true })).deletedCount).toBe(1);
  });

  it('aggregates with $match, $group and $sort', async () => {
    const c = client.db('t3').collection<Doc>('g');
    await c.insertMany([
      { a: 'x', v: 1 },
      { a: 'y', v: 2 },
      { a: 'x', v: 3 },
    ]);
    const out = await c
      .aggregate([
        { $match: { v: { $gte: 1 } } },
        { $group: { _id: '$a', t: { $sum: '$v' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: 'x', t: 4 },
      { _id: 'y', t: 2 },
    ]);
  });

  it('enforces unique indexes with 11000 and writeErrors on unordered bulk inserts', async () => {
    const c = client.db('t4').collection<Doc>('u');
    await c.createIndex({ k: 1 }, { unique: true, name: 'k_1' });
    await c.insertOne({ _id: 1, k: 'a' });
    const error = await c
      .insertMany(
        [
          { _id: 2, k: 'a' },
          { _id: 3, k: 'b' },
          { _id: 1, k: 'c' },
        ],
        { ordered: false },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error.writeErrors.map((w: { index: number; code: number }) => [w.index, w.code])).toEqual([
      [0, 11000],
      [2, 11000],
    ]);
    expect(error.writeErrors[0].errmsg).toMatch(
      /^E11000 duplicate key error collection: t4\.u index: k_1 dup key: \{ k: "a" \}/,
    );
    expect(error.result.insertedCount).toBe(1);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'k_1']);
  });

  it('answers unsupported commands and options with MongoDB error documents', async () => {
    const db = client.db('t5');
    const unknown = await db.command({ fsync: 1 }).catch((e) => e);
    expect(unknown).toBeInstanceOf(MongoServerError);
    expect([unknown.code, unknown.codeName]).toEqual([59, 'CommandNotFound']);
    const option = await db
      .collection<Doc>('c')
      .find({}, { hint: { a: 1 } })
      .toArray()
      .catch((e) => e);
    expect([option.code, option.codeName]).toEqual([2, 'BadValue']);
    const stage = await db
      .collection<Doc>('c')
      .aggregate([{ $out: 'x' }])
      .toArray()
      .catch((e) => e);
    expect(stage.code).toBe(2);
  });

  it('injects faults: dropped connections, delays, duplicate keys on insert', async () => {
    const c = client.db('t6').collection<Doc>('f');
    server.faults.dropConnections = 1;
    await expect(c.insertOne({ _id: 1 })).rejects.toThrow();
    server.faults.duplicateInserts = 1;
    const dup = await c.insertOne({ _id: 2 }).catch((e) => e);
    expect(dup.code).toBe(11000);
    server.faults.delayMs = 150;
    const started = Date.now();
    await c.insertOne({ _id: 3 });
    server.faults.delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await c.countDocuments({ _id: 2 })).toBe(0);
  });

  it('stores and reads back a GridFS file', async () => {
    const bucket = new GridFSBucket(client.db('t7'), { chunkSizeBytes: 1024 });
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    await new Promise<void>((resolve, reject) => {
      bucket
        .openUploadStream('f.bin')
        .on('error', reject)
        .on('finish', () => resolve())
        .end(data);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStreamByName('f.bin')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    const [file] = await bucket.find({ filename: 'f.bin' }).toArray();
    await bucket.delete(file!._id);
    expect(await bucket.find({}).toArray()).toEqual([]);
  });
});
