/**
 * `@sat/store-mongo/testing`: a MongoDB wire-protocol server for tests (no `mongod` needed), on
 * `bson` and `mingo`. See docs/store-mongo.md for what it supports and what it does not.
 *
 * @module @sat/store-mongo/testing
 */
export {
  type MongoTestFaults,
  type MongoTestServer,
  type MongoTestServerOptions,
  startMongoTestServer,
} from './test-server/mongo-test-server.js';
