/**
 * Test helpers shared by every package: fixture event generators and the contract suite every
 * `AnalyticsStore` runs (`describeAnalyticsStore`) and the one every `StorageTarget` runs
 * (`describeStorageTarget`).
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
export type {
  AnalyticsStoreFactory,
  AnalyticsStoreFactoryContext,
  AnalyticsStoreSuiteOptions,
  StoreHarness,
  StoreRoot,
} from './analytics-store-harness.js';
export {
  describeStorageTarget,
  type StorageTargetContractOptions,
  type StorageTargetFactory,
  type StorageTargetFactoryContext,
} from './storage-target-contract.js';
