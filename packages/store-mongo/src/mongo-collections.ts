/**
 * The collections of the store and the indexes the queries use. Every document carries `machine`
 * and `user`; rollup groups are kept per (machine, user), so that one store holds many machines
 * and the queries add them up.
 */
import type { ProjectionName, RollupName } from '@sat/core/projections';
import type { Db, IndexDescription } from 'mongodb';

/** A document of this store: ids are strings (event ids, sessions, composite keys). */
// biome-ignore lint/suspicious/noExplicitAny: documents of many shapes, mapped in mongo-documents.ts
export type SatDocument = { _id: string } & Record<string, any>;

/** Collection names. */
export const COLLECTIONS = Object.freeze({
  /** One document per applied event (`_id`: the event id), with `at` for the optional TTL. */
  events: 'events',
  /** One per (machine, session): the last applied seq and the projection state. */
  checkpoints: 'checkpoints',
  sessions: 'sessions',
  /** Agent invocations. */
  agents: 'agents',
  /** Tool calls. */
  tools: 'tools',
  errors: 'errors',
  /** File operations. */
  files: 'files',
  decisions: 'decisions',
  validations: 'validations',
  fingerprints: 'fingerprints',
  meta: 'meta',
});

/** The collection of each rollup. */
export function rollupCollection(rollup: RollupName): string {
  return `rollup_${rollup}`;
}

/** The collections of each fact source the queries read (a filter by session needs them). */
export const FACT_COLLECTIONS = Object.freeze({
  agent_invocations: COLLECTIONS.agents,
  tool_uses: COLLECTIONS.tools,
  errors: COLLECTIONS.errors,
});

/** The collections each projection writes (cleared, for this machine, when it is rebuilt). */
export const PROJECTION_COLLECTIONS: Readonly<Record<ProjectionName, readonly string[]>> = Object.freeze({
  sessions: [COLLECTIONS.sessions],
  agent_invocations: [COLLECTIONS.agents, rollupCollection('agent_day')],
  tool_uses: [COLLECTIONS.tools, rollupCollection('tool_day')],
  errors: [COLLECTIONS.errors, COLLECTIONS.fingerprints, rollupCollection('error_day')],
  file_operations: [COLLECTIONS.files],
  decisions: [COLLECTIONS.decisions],
  validations: [COLLECTIONS.validations],
  api_usage: [
    rollupCollection('usage_phase'),
    rollupCollection('usage_day'),
    rollupCollection('usage_session'),
  ],
});

const dayIndexes = (extra: readonly string[]): IndexDescription[] => [
  { key: { day: 1, phase: 1, agent: 1 }, name: 'day_phase_agent' },
  { key: { phase: 1, day: 1 }, name: 'phase_day' },
  { key: { agent: 1, day: 1 }, name: 'agent_day' },
  ...extra.map((dim) => ({ key: { [dim]: 1, day: 1 }, name: `${dim}_day` })),
  { key: { machine: 1, user: 1, day: 1 }, name: 'machine_user_day' },
  { key: { user: 1, day: 1 }, name: 'user_day' },
];

const factIndexes: IndexDescription[] = [
  { key: { session: 1, seq: 1 }, name: 'session_seq' },
  { key: { machine: 1, session: 1 }, name: 'machine_session' },
];

/** Every index, by collection. */
export function indexPlan(ttlDays: number | undefined): Record<string, IndexDescription[]> {
  return {
    [COLLECTIONS.events]: [
      { key: { machine: 1, session: 1, seq: 1 }, name: 'machine_session_seq' },
      ...(ttlDays !== undefined
        ? [{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: Math.round(ttlDays * 86_400) }]
        : []),
    ],
    [COLLECTIONS.checkpoints]: [{ key: { machine: 1, session: 1 }, name: 'machine_session', unique: true }],
    [COLLECTIONS.sessions]: [
      { key: { lastEventAt: -1, session: -1 }, name: 'last_event' },
      { key: { machine: 1, user: 1 }, name: 'machine_user' },
      { key: { user: 1, machine: 1, firstDay: 1 }, name: 'user_machine_first_day' },
      { key: { firstDay: 1 }, name: 'first_day' },
    ],
    [COLLECTIONS.agents]: factIndexes,
    [COLLECTIONS.tools]: factIndexes,
    [COLLECTIONS.errors]: factIndexes,
    [COLLECTIONS.files]: factIndexes,
    [COLLECTIONS.decisions]: factIndexes,
    [COLLECTIONS.validations]: factIndexes,
    [COLLECTIONS.meta]: [{ key: { machine: 1 }, name: 'machine' }],
    [COLLECTIONS.fingerprints]: [{ key: { machine: 1 }, name: 'machine' }],
    [rollupCollection('agent_day')]: dayIndexes([]),
    [rollupCollection('tool_day')]: dayIndexes(['tool']),
    [rollupCollection('error_day')]: dayIndexes(['fingerprint']),
    [rollupCollection('usage_day')]: dayIndexes(['model']),
    [rollupCollection('usage_session')]: [
      { key: { session: 1, day: 1 }, name: 'session_day' },
      ...dayIndexes([]),
    ],
    [rollupCollection('usage_phase')]: [
      { key: { phase: 1, agent: 1 }, name: 'phase_agent' },
      { key: { agent: 1 }, name: 'agent' },
      { key: { machine: 1, user: 1 }, name: 'machine_user' },
      { key: { user: 1 }, name: 'user' },
    ],
  };
}

/**
 * Creates every index (existing ones are left as they are). A TTL index whose time changed is
 * dropped and created again.
 */
export async function ensureIndexes(db: Db, ttlDays: number | undefined): Promise<void> {
  const plan = indexPlan(ttlDays);
  for (const [name, indexes] of Object.entries(plan)) {
    const collection = db.collection<SatDocument>(name);
    if (name === COLLECTIONS.events) {
      const existing = await collection
        .listIndexes()
        .toArray()
        .catch(() => []);
      const ttl = existing.find((i) => i.name === 'at_ttl');
      const wanted = indexes.find((i) => i.name === 'at_ttl');
      if (ttl && ttl.expireAfterSeconds !== wanted?.expireAfterSeconds) await collection.dropIndex('at_ttl');
    }
    await collection.createIndexes(indexes);
  }
}
