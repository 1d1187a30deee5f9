/**
 * The six queries' answers (the five and `team`) of the MongoDB store and of the SQLite store on
 * the same log, as the JSON `sat stats <report> --json` prints, for every filter a log suggests: all
 * time, the last 7 and 30 days, each session, each phase, each agent, each user and machine.
 */
import { join } from 'node:path';
import { listSessions } from '@sat/core';
import type { AnalyticsQuery, AnalyticsStore } from '@sat/core/projections';
import { openSqliteStore } from '@sat/store-sqlite';
import { openMongoStore } from '../src/index.js';

const REPORTS = [
  'toolEffectiveness',
  'agentPerformance',
  'errorPatterns',
  'costAnalysis',
  'sessionSummary',
  'team',
] as const;

/** One query whose answers differ (empty when the stores agree). */
export interface Disagreement {
  report: string;
  query: AnalyticsQuery;
  sqlite: string;
  mongo: string;
}

async function answer(
  store: AnalyticsStore,
  report: (typeof REPORTS)[number],
  query: AnalyticsQuery,
): Promise<string> {
  return JSON.stringify(await store[report](query), null, 2);
}

async function queriesFor(logsDir: string, sqlite: AnalyticsStore, now: number): Promise<AnalyticsQuery[]> {
  const sessions = (await listSessions(logsDir)).map((s) => s.session);
  const all = await sqlite.agentPerformance({ days: 'all' });
  const tools = await sqlite.toolEffectiveness({ days: 'all' });
  const phases = new Set<string>();
  for (const session of sessions)
    for (const p of (await sqlite.sessionSummary({ session }))?.phases ?? []) phases.add(p);
  const agents = new Set([...all.agents.map((a) => a.agent), ...tools.agents.map((a) => a.agent)]);
  const owners = (await sqlite.team({ days: 'all' })).rows;
  const users = new Set(owners.map((row) => row.user));
  const machines = new Set(owners.map((row) => row.machine));
  return [
    { days: 'all' },
    { days: 7, now },
    { days: 30, now },
    ...sessions.map((session) => ({ session })),
    ...[...phases].map((phase) => ({ phase, days: 'all' as const })),
    ...[...agents].map((agent) => ({ agent, days: 'all' as const })),
    ...(sessions[0] && [...agents][0] ? [{ session: sessions[0], agent: [...agents][0]! }] : []),
    ...[...users].map((user) => ({ user, days: 'all' as const })),
    ...[...machines].map((machine) => ({ machine, days: 30, now })),
  ];
}

/**
 * Ingests `logsDir` into a SQLite store in `dir` and a MongoDB store at `url` (database
 * `database`), then compares every answer. Returns the differences and how many answers were compared.
 */
export async function compareStores(options: {
  logsDir: string;
  dir: string;
  url: string;
  database: string;
  now: number;
}): Promise<{
  compared: number;
  differences: Disagreement[];
  events: number;
  sqliteEvents: number;
  mongoIngestMs: number;
  sqliteIngestMs: number;
  compareMs: number;
}> {
  const sqlite = await openSqliteStore({
    file: join(options.dir, 'sat.db'),
    logsDir: options.logsDir,
    identity: { user: 'agree-user', machine: 'agree-machine' },
  });
  const mongo = await openMongoStore({
    url: options.url,
    database: options.database,
    machine: 'agree-machine',
    user: 'agree-user',
    logsDir: options.logsDir,
  });
  try {
    let started = Date.now();
    await sqlite.ingestLog();
    const sqliteIngestMs = Date.now() - started;
    started = Date.now();
    await mongo.ingestLog();
    const mongoIngestMs = Date.now() - started;
    const events = (await mongo.status()).events;
    const sqliteEvents = (await sqlite.status()).events;
    started = Date.now();
    const differences: Disagreement[] = [];
    let compared = 0;
    for (const query of await queriesFor(options.logsDir, sqlite, options.now))
      for (const report of REPORTS) {
        const [a, b] = [await answer(sqlite, report, query), await answer(mongo, report, query)];
        compared++;
        if (a !== b) differences.push({ report, query, sqlite: a, mongo: b });
      }
    return {
      compared,
      differences,
      events,
      sqliteEvents,
      mongoIngestMs,
      sqliteIngestMs,
      compareMs: Date.now() - started,
    };
  } finally {
    await sqlite.close();
    await mongo.close();
  }
}
