/**
 * Test helpers shared by every package: fixture event generators and the contract suite every
 * `AnalyticsStore` runs (`describeAnalyticsStore`) and the one every `StorageTarget` runs
 * (`describeStorageTarget`).
 */
export {
  type AnalyticsStoreFactory,
  type AnalyticsStoreFactoryContext,
  describeAnalyticsStore,
} from './analytics-store-contract.js';
export { pseudoRandom } from './pseudo-random.js';
export { type RealisticEventOptions, realisticEvent, realisticEvents } from './realistic-events.js';
export { type RealisticSessionOptions, realisticSessionEvents } from './realistic-sessions.js';
export {
  describeStorageTarget,
  type StorageTargetContractOptions,
  type StorageTargetFactory,
  type StorageTargetFactoryContext,
} from './storage-target-contract.js';
