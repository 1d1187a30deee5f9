/**
 * What every analytics store suite needs: the factory's context, fresh folders with a log, the
 * stores opened (closed and removed after each test), and the realistic log the comparisons use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AnySatEvent, NewEvent } from '../events/envelope.js';
import type { EventOwner } from '../events/event-origin.js';
import { realisticSessionEvents } from '../fixtures/realistic-sessions.js';
import { readSessionEvents } from '../log/event-reader.js';
import { EventWriter } from '../log/event-writer.js';
import type { AnalyticsStore, AnalyticsStoreCapabilities } from '../projections/analytics-store.js';
import type { ProjectionName } from '../projections/projection-names.js';
import { api, DAY, events, HAIKU, NOW, tokens } from './analytics-store-fixtures.js';

/** What the suite hands the factory. */
export interface AnalyticsStoreFactoryContext {
  /** A folder for the store's own files; the same folder when a test reopens the store. */
  dir: string;
  /** The session logs the store rebuilds from (and ingests, with `ingestLog`). */
  /** The root's logs folder. */
  logsDir: string;
  /** Projection versions to build with; the suite raises one to check the rebuild it causes. */
  projectionVersions?: Partial<Record<ProjectionName, number>>;
  /** Whose the local events are: the factory passes it to the store (`identity` of its options). */
  identity: EventOwner;
}

/** The identity the suite gives every store it opens. */
export const CONTRACT_IDENTITY: Readonly<EventOwner> = Object.freeze({ user: 'me', machine: 'my-laptop' });

/** Opens (or reopens) a store in `context.dir`. */
export type AnalyticsStoreFactory = (context: AnalyticsStoreFactoryContext) => Promise<AnalyticsStore>;

/** Options of `describeAnalyticsStore` and of each suite in `analyticsStoreSuites`. */
export interface AnalyticsStoreSuiteOptions {
  /**
   * What the store declares, known before any store is opened, so the cases that need a
   * capability are registered as skipped (`it.skipIf`) with the reason in their name. The
   * capabilities case checks the opened store declares the same. Default: every capability.
   */
  capabilities?: Partial<AnalyticsStoreCapabilities>;
  /** Registers the store's own tests inside the contract's `describe` (unstorage's shape). */
  additionalTests?: (harness: StoreHarness) => void;
}

/** A fresh root folder with a logs folder; `store(n)` opens store folder n of it. */
export interface StoreRoot {
  logsDir: string;
  /** Opens store folder `n` (default 0) of this root through the factory. */
  store(
    n?: number,
    projectionVersions?: AnalyticsStoreFactoryContext['projectionVersions'],
  ): Promise<AnalyticsStore>;
  /** Closes a store this root opened. */
  close(store: AnalyticsStore): Promise<void>;
  /** Appends to the log and returns the events as stored (with ids and seqs). */
  log(list: NewEvent[]): Promise<AnySatEvent[]>;
}

/** The helpers a suite's tests use. */
export interface StoreHarness {
  /** A fresh root folder with a logs folder, removed after the test. */
  root(): StoreRoot;
  /** A realistic log of three sessions in two phases, with sub-agents and paired invocations. */
  realisticLog(r: StoreRoot): Promise<AnySatEvent[]>;
}

/**
 * Registers (in the current `describe`) the cleanup of what the returned helpers open.
 *
 * @example
 * describe('mine', () => {
 *   const { root } = useStoreHarness(factory);
 *   it('opens', async () => expect((await root().store()).name).toBeTruthy());
 * });
 */
export function useStoreHarness(factory: AnalyticsStoreFactory): StoreHarness {
  const dirs: string[] = [];
  const open: AnalyticsStore[] = [];

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  let written = 0;

  /** A fresh root with a logs folder; `store(n)` opens store folder n of it. */
  function root(): StoreRoot {
    const base = mkdtempSync(join(tmpdir(), 'sat-contract-'));
    dirs.push(base);
    const logsDir = join(base, 'logs');
    return {
      logsDir,
      async store(n = 0, projectionVersions?: AnalyticsStoreFactoryContext['projectionVersions']) {
        const store = await factory({
          dir: join(base, `store-${n}`),
          logsDir,
          projectionVersions,
          identity: CONTRACT_IDENTITY,
        });
        open.push(store);
        return store;
      },
      async close(store: AnalyticsStore) {
        await store.close();
        open.splice(open.indexOf(store), 1);
      },
      /** Appends to the log and returns the events as stored (with ids and seqs). */
      async log(list: NewEvent[]): Promise<AnySatEvent[]> {
        const writer = new EventWriter({ logsDir });
        const ids = new Set<string>();
        for (const event of list)
          ids.add(writer.append({ ...event, id: event.id ?? `contract-${++written}` }));
        await writer.close();
        const sessions = [...new Set(list.map((e) => e.session))];
        const stored: AnySatEvent[] = [];
        for (const session of sessions)
          for await (const e of readSessionEvents(logsDir, session)) if (ids.has(e.id)) stored.push(e);
        return stored;
      },
    };
  }

  /** A realistic log of three sessions in two phases, with sub-agents and paired invocations. */
  async function realisticLog(r: StoreRoot): Promise<AnySatEvent[]> {
    const list: NewEvent[] = [];
    for (let i = 0; i < 3; i++)
      list.push(
        ...realisticSessionEvents(
          {
            session: `real-${i}`,
            seed: 11 + i,
            start: NOW - (20 - i * 8) * DAY,
            phase: 1,
            phaseChanges: [{ at: 150 + i * 50, phase: 2 }],
            apiResponseShare: 0.2,
          },
          400,
        ),
      );
    list.push(
      ...events('pairs', [
        { type: 'session_start', data: { phase: 2 } },
        {
          type: 'agent_invocation',
          agent: 'code-reviewer',
          data: { agent: 'code-reviewer', invoked_by: 'main', status: 'started', tool_use_id: 'toolu_p1' },
        },
        {
          type: 'tool_usage',
          agent: 'code-reviewer',
          data: { tool: 'Read', success: true, duration_ms: 40 },
        },
        {
          type: 'agent_invocation',
          agent: 'code-reviewer',
          data: {
            agent: 'code-reviewer',
            status: 'completed',
            tool_use_id: 'toolu_p1',
            duration_ms: 61_000,
          },
        },
        {
          type: 'api_response',
          agent: 'explorer',
          data: api(HAIKU, tokens(10, 100), { id: 'p-est', source: 'task_result', agent_id: 'ax' }),
        },
        {
          type: 'api_response',
          agent: 'explorer',
          data: api(HAIKU, tokens(20, 200), { id: 'p-tr', agent_id: 'ax' }),
        },
      ]),
    );
    return r.log(list);
  }

  return { root, realisticLog };
}
