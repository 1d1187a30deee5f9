import { createHash } from 'node:crypto';
import { type MongoTestServer, startMongoTestServer } from '../src/testing.js';

/**
 * The MongoDB the tests use: the one at SAT_MONGO_URL when it is set (a real server; databases
 * named `sat_test_*` are created there), else a fresh wire-protocol test server.
 */
export interface TestMongo {
  url: string;
  /** True for the test server (fault injection is then available through `server`). */
  server: MongoTestServer | undefined;
  close(): Promise<void>;
}

/** Starts the test server, or names the real one of SAT_MONGO_URL. */
export async function testMongo(): Promise<TestMongo> {
  const real = process.env.SAT_MONGO_URL;
  if (real) return { url: real, server: undefined, close: async () => undefined };
  const server = await startMongoTestServer();
  return { url: server.url, server, close: () => server.close() };
}

/** A database name of its own for a test folder (the same folder: the same database). */
export function databaseFor(dir: string): string {
  return `sat_test_${createHash('sha1').update(dir).digest('hex').slice(0, 16)}`;
}
