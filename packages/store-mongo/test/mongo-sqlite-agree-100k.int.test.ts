/**
 * On a generated log of 100,000 events (20 sessions over a month, three phases), every answer of
 * the MongoDB store is the SQLite store's, byte for byte. Prints the ingest times of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareStores } from './agree.js';
import { databaseFor, type TestMongo, testMongo } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1, 12);
const SESSIONS = 20;
const PER_SESSION = 5000;

let mongo: TestMongo;
let dir: string;
beforeAll(async () => {
  mongo = await testMongo();
  dir = mkdtempSync(join(tmpdir(), 'sat-mongo-100k-'));
});
afterAll(async () => {
  await mongo?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('gives the SQLite answers on 100,000 generated events', async () => {
  const logsDir = join(dir, 'logs');
  const writer = new EventWriter({ logsDir });
  for (let i = 0; i < SESSIONS; i++)
    for (const event of realisticSessionEvents(
      {
        session: `big-${i}`,
        seed: 100 + i,
        start: NOW - (30 - i) * DAY,
        phase: 1 + (i % 3),
        phaseChanges: [{ at: 2500, phase: 2 + (i % 3) }],
      },
      PER_SESSION,
    ))
      writer.append(event);
  await writer.close();
  const result = await compareStores({ logsDir, dir, url: mongo.url, database: databaseFor(dir), now: NOW });
  console.log(
    `100k agreement: ${result.events} events; ingest sqlite ${result.sqliteIngestMs} ms, mongo ${result.mongoIngestMs} ms; ${result.compared} answers compared in ${result.compareMs} ms`,
  );
  expect(result.events).toBeGreaterThanOrEqual(100_000);
  expect(result.compared).toBeGreaterThan(100);
  expect(result.differences.map((d) => `${d.report} ${JSON.stringify(d.query)}`)).toEqual([]);
});
