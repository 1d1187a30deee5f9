import { createHash } from 'node:crypto';
import { MongoClient } from 'mongodb';
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

/** Drops the databases {@link databaseFor} named (on a real server, after the file's tests). */
async function dropNamed(url: string): Promise<void> {
  const client = await new MongoClient(url).connect();
  try {
    for (const name of named) {
      await client.db(name).dropDatabase();
      await client.db(`${name}_ref`).dropDatabase();
    }
  } finally {
    named.clear();
    await client.close();
  }
}

/** Starts the test server, or names the real one of SAT_MONGO_URL. */
export async function testMongo(): Promise<TestMongo> {
  const real = process.env.SAT_MONGO_URL;
  if (real) return { url: real, server: undefined, close: () => dropNamed(real) };
  const server = await startMongoTestServer();
  return { url: server.url, server, close: () => server.close() };
}

const named = new Set<string>();

/** A database name of its own for a test folder (the same folder: the same database). */
export function databaseFor(dir: string): string {
  const name = `sat_test_${createHash('sha1').update(dir).digest('hex').slice(0, 16)}`;
  named.add(name);
  return name;
}
