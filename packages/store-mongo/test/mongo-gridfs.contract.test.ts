import { describeStorageTarget } from '@sat/core/testing';
import { Binary, MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { MongoGridFsTarget } from '../src/index.js';
import { type TestMongo, testMongo } from './helpers.js';

const DATABASE = 'sat_test_gridfs';
let mongo: TestMongo;
let client: MongoClient;
beforeAll(async () => {
  mongo = await testMongo();
  client = await new MongoClient(mongo.url).connect();
});
afterAll(async () => {
  await client?.close();
  await mongo?.close();
});

/** Flips one byte of the first chunk of the newest revision of `key`, behind the target's back. */
async function corrupt(_target: MongoGridFsTarget, key: string): Promise<void> {
  const db = client.db(DATABASE);
  const file = await db
    .collection('sat_backups.files')
    .findOne({ filename: key }, { sort: { uploadDate: -1 } });
  const chunks = db.collection('sat_backups.chunks');
  const chunk = await chunks.findOne({ files_id: file!._id, n: 0 });
  const bytes = Buffer.from((chunk!.data as Binary).buffer);
  bytes[0] = bytes[0]! ^ 0xff;
  await chunks.updateOne({ _id: chunk!._id }, { $set: { data: new Binary(bytes) } });
}

describeStorageTarget(
  process.env.SAT_MONGO_URL ? 'mongo GridFS (SAT_MONGO_URL)' : 'mongo GridFS (wire-protocol test server)',
  () => new MongoGridFsTarget({ url: mongo.url, database: DATABASE, chunkSizeBytes: 256 * 1024 }),
  { corrupt, dispose: (target) => target.close() },
);
