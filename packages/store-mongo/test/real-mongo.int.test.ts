/**
 * Only against a real MongoDB (SAT_MONGO_URL): the server is not the test server, the queries'
 * plans are MongoDB's own, and the store agrees with SQLite there too. Every other test file of
 * the package also runs against SAT_MONGO_URL when it is set (see docs/store-mongo.md):
 *
 *     SAT_MONGO_URL='mongodb://localhost:27017' npx vitest run --project store-mongo
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { compareStores } from './agree.js';

const url = process.env.SAT_MONGO_URL;

describe('a real MongoDB at SAT_MONGO_URL', () => {
  it('is a real server, and the store gives the SQLite answers on it', async (ctx) => {
    if (!url)
      ctx.skip('SAT_MONGO_URL is not set: no real MongoDB to test against (the test server covers the rest)');
    const client = await new MongoClient(url!, { serverSelectionTimeoutMS: 5000 }).connect();
    const dir = mkdtempSync(join(tmpdir(), 'sat-mongo-real-'));
    const database = `sat_test_real_${Date.now()}`;
    try {
      const info = await client.db('admin').command({ buildInfo: 1 });
      expect(info.gitVersion).not.toBe('sat-mongo-test-server');
      const logsDir = join(dir, 'logs');
      const writer = new EventWriter({ logsDir });
      for (const event of realisticSessionEvents({ session: 'real', seed: 9, phase: 1 }, 2000))
        writer.append(event);
      await writer.close();
      const result = await compareStores({ logsDir, dir, url: url!, database, now: Date.UTC(2026, 0, 5) });
      expect(result.events).toBe(2000);
      expect(result.differences).toEqual([]);
    } finally {
      await client
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
