/**
 * The MongoDB store answers every query exactly as the SQLite store does (the same JSON, byte for
 * byte) on the bundled real Claude Code transcripts and on a generated log of several sessions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventWriter, importTranscripts } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareStores } from './agree.js';
import { databaseFor, type TestMongo, testMongo } from './helpers.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(REPO, 'packages/cli/fixtures/claude-code');
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, 'EXPECTED.json'), 'utf8')) as Record<string, unknown>;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1, 12);

let mongo: TestMongo;
const dirs: string[] = [];
beforeAll(async () => {
  mongo = await testMongo();
});
afterAll(() => mongo?.close());
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sat-mongo-agree-'));
  dirs.push(dir);
  return dir;
}

describe("the MongoDB store gives the SQLite store's answers", () => {
  it('on every bundled real transcript', async () => {
    const dir = tempDir();
    const logsDir = join(dir, 'logs');
    const names = Object.keys(EXPECTED);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names)
      await importTranscripts({ paths: [join(FIXTURES, name)], logsDir, stateDir: join(dir, 'state') });
    const result = await compareStores({
      logsDir,
      dir,
      url: mongo.url,
      database: databaseFor(dir),
      now: NOW,
    });
    expect(result.events).toBeGreaterThan(50);
    expect(result.events).toBe(result.sqliteEvents);
    expect(result.compared).toBeGreaterThan(20);
    expect(result.differences).toEqual([]);
  });

  it('on a generated log of three sessions over two phases, one of them imported from someone else', async () => {
    const dir = tempDir();
    const logsDir = join(dir, 'logs');
    const writer = new EventWriter({ logsDir });
    for (let i = 0; i < 3; i++)
      for (const event of realisticSessionEvents(
        {
          session: `gen-${i}`,
          seed: 5 + i,
          start: NOW - (12 - i * 4) * DAY,
          phase: 1,
          phaseChanges: [{ at: 300, phase: 2 }],
        },
        1500,
      ))
        writer.append(
          i === 2
            ? { ...event, meta: { origin: { user: 'ana', machine: 'ana-laptop', bundle: 'b', seq: 1 } } }
            : event,
        );
    await writer.close();
    const result = await compareStores({
      logsDir,
      dir,
      url: mongo.url,
      database: databaseFor(dir),
      now: NOW,
    });
    expect(result.events).toBe(4500);
    expect(result.compared).toBeGreaterThan(30);
    expect(result.differences).toEqual([]);
  });
});
