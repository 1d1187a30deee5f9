import { describeAnalyticsStore } from '@sat/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { openMongoStore } from '../src/index.js';
import { databaseFor, type TestMongo, testMongo } from './helpers.js';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await testMongo();
});
afterAll(() => mongo?.close());

describeAnalyticsStore(
  process.env.SAT_MONGO_URL ? 'mongo (SAT_MONGO_URL)' : 'mongo (wire-protocol test server)',
  ({ dir, logsDir, projectionVersions, identity }) =>
    openMongoStore({
      url: mongo.url,
      database: databaseFor(dir),
      machine: identity.machine,
      user: identity.user,
      logsDir,
      projectionVersions,
    }),
  { capabilities: { atomicRebuild: false } },
);
