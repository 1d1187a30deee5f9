import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnySatEvent, EventWriter, type NewEvent, readSessionEvents } from '@sat/core';
import { realisticSessionEvents } from '@sat/core/fixtures';
import type { AnalyticsStore } from '@sat/core/projections';
import { afterEach } from 'vitest';
import { compiledChild } from '../../core/test/ts-child.js';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../src/index.js';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** "Now" of the queries in these tests; the events happen before it. */
export const NOW = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sat-sqlite-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store (closed after the test). */
export async function open(options: SqliteStoreOptions): Promise<SqliteStore> {
  const store = await openSqliteStore(options);
  stores.push(store);
  return store;
}

/** Appends events to the log and returns them as stored. */
export async function writeLog(logsDir: string, events: Iterable<NewEvent>): Promise<AnySatEvent[]> {
  const writer = new EventWriter({ logsDir });
  const ids = new Set<string>();
  const sessions = new Set<string>();
  for (const event of events) {
    ids.add(writer.append(event));
    sessions.add(event.session);
  }
  await writer.close();
  const out: AnySatEvent[] = [];
  for (const session of sessions)
    for await (const event of readSessionEvents(logsDir, session)) if (ids.has(event.id)) out.push(event);
  return out;
}

/** `count` realistic events of session `session`, starting `daysAgo` days before {@link NOW}. */
export function sessionEvents(session: string, count: number, daysAgo: number, seed = 1): NewEvent[] {
  return [
    ...realisticSessionEvents(
      {
        session,
        seed,
        start: NOW - daysAgo * DAY,
        phase: 1,
        phaseChanges: [{ at: Math.floor(count / 2), phase: 2 }],
        apiResponseShare: 0.2,
      },
      count,
    ),
  ];
}

/** A hash of every query's result under a few filters: equal hashes, equal answers. */
export async function answers(store: AnalyticsStore, sessions: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const probes = [
    {},
    { days: 'all' as const },
    { phase: 2 },
    { agent: 'main' },
    ...sessions.map((session) => ({ session })),
  ];
  for (const probe of probes) {
    const q = { ...probe, now: NOW };
    hash.update(
      JSON.stringify([
        await store.agentPerformance(q),
        await store.toolEffectiveness(q),
        await store.errorPatterns(q),
        await store.sessionSummary(q),
        await store.costAnalysis(q),
      ]),
    );
  }
  return hash.digest('hex');
}

/** Starts a TypeScript file in a real child process, bundled once to plain JavaScript (see compiledChild). */
export function spawnTs(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [compiledChild(file), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
