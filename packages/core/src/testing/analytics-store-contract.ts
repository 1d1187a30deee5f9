/**
 * The contract every `AnalyticsStore` passes, whatever its database. A store package runs it
 * from exactly one test file:
 *
 *     describeAnalyticsStore('sqlite', ({ dir, logsDir, projectionVersions, identity }) =>
 *       openSqliteStore({ file: join(dir, 'sat.db'), logsDir, projectionVersions, identity }));
 *
 * It is made of named suites (`analyticsStoreSuites.idempotence(factory)`, ...), each taking the
 * factory. What a store cannot do is declared in `options.capabilities`; the cases that need a
 * capability are then registered as skipped with the capability in their name, never dropped.
 */
import { describe } from 'vitest';
import {
  type AnalyticsStoreFactory,
  type AnalyticsStoreSuiteOptions,
  useStoreHarness,
} from './analytics-store-harness.js';
import {
  capabilities,
  emptyAndSingle,
  idempotence,
  rebuild,
  versions,
} from './analytics-store-suites-core.js';
import { costs, errors, filters, sessions, subAgentTokens } from './analytics-store-suites-queries.js';
import { team } from './analytics-store-suites-team.js';

/**
 * The contract's suites by name; each registers its cases for one store factory.
 *
 * @example
 * describe('sqlite', () => analyticsStoreSuites.rebuild(factory));
 *
 * @namespace
 */
export const analyticsStoreSuites = Object.freeze({
  /** Registers the capabilities cases: the declared capabilities and optional methods. */
  capabilities,
  /** Registers the empty and single-event stores cases: every query on an empty store, and on a store with one event of each kind. */
  emptyAndSingle,
  /** Registers the idempotence cases: re-applying the same events changes no result. */
  idempotence,
  /** Registers the rebuild cases: a rebuild from the log gives every query result incremental ingestion gave. */
  rebuild,
  /** Registers the projection versions cases: a raised projection version rebuilds that projection when the store opens (needs capabilities.persistent). */
  versions,
  /** Registers the costs cases: tokens and cost per phase, agent and model; unknown models named, never priced at zero. */
  costs,
  /** Registers the sub-agent tokens cases: the sub-agent token rule: task_result estimates against transcript responses, across batches. */
  subAgentTokens,
  /** Registers the filters cases: days, session, phase and agent filters; per-session rows agree with the rollups. */
  filters,
  /** Registers the error patterns cases: fingerprints across sessions, recurrence and resolution. */
  errors,
  /** Registers the session summary cases: one session with its agents, tools, errors and files. */
  sessions,
  /** Registers the team cases: sessions, tokens, cost and errors per user, machine and day; owner filters; imported events keep their owner. */
  team,
});

/**
 * Registers every suite of the analytics store contract under `AnalyticsStore contract: <name>`,
 * then `options.additionalTests`. `factory` opens the store in the folder it is given (reopening
 * it when called again with the same folder).
 *
 * @example
 * describeAnalyticsStore('sqlite', (ctx) => openSqliteStore({ file: join(ctx.dir, 'sat.db'), logsDir: ctx.logsDir }));
 */
export function describeAnalyticsStore(
  name: string,
  factory: AnalyticsStoreFactory,
  options: AnalyticsStoreSuiteOptions = {},
): void {
  describe(`AnalyticsStore contract: ${name}`, () => {
    for (const suite of Object.values(analyticsStoreSuites)) suite(factory, options);
    if (options.additionalTests) {
      const additional = options.additionalTests;
      describe('additional tests', () => additional(useStoreHarness(factory)));
    }
  });
}
