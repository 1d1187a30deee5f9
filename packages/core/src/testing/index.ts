/**
 * `@sat/core/testing`: the contract suite every `AnalyticsStore` runs (`describeAnalyticsStore`,
 * made of `analyticsStoreSuites`) and the one every `StorageTarget` runs (`describeStorageTarget`,
 * made of `storageTargetSuites`). Imports vitest (an optional peer dependency of @sat/core); the
 * event generators, without vitest, are `@sat/core/fixtures` (re-exported here for tests).
 *
 * @module @sat/core/testing
 */

export {
  pseudoRandom,
  type RealisticEventOptions,
  type RealisticSessionOptions,
  realisticEvent,
  realisticEvents,
  realisticSessionEvents,
} from '../fixtures/index.js';
export { analyticsStoreSuites, describeAnalyticsStore } from './analytics-store-contract.js';
export {
  type AnalyticsStoreFactory,
  type AnalyticsStoreFactoryContext,
  type AnalyticsStoreSuiteOptions,
  CONTRACT_IDENTITY,
  type StoreHarness,
  type StoreRoot,
} from './analytics-store-harness.js';
export { describeStorageTarget, storageTargetSuites } from './storage-target-contract.js';
export type {
  StorageTargetContractOptions,
  StorageTargetFactory,
  StorageTargetFactoryContext,
  TargetHarness,
} from './storage-target-harness.js';
