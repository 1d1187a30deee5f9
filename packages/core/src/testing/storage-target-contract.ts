/**
 * The contract every `StorageTarget` passes, whatever holds the bytes. A target package runs it
 * from exactly one test file:
 *
 *     describeStorageTarget('local', ({ dir }) => new LocalDirectoryTarget({ dir }), {
 *       corrupt: async (target, key) => flipAByteOf(target.pathOf(key)),
 *     });
 *
 * It is made of named suites (`storageTargetSuites.roundTrips(factory, options)`, ...). Where
 * targets differ, the difference is a declared capability (`deleteMissing`, `atomicPut`,
 * `verifiesReads`, `metadata`) of the target instance, and the case checks the declared behaviour
 * either way: no case is skipped.
 */
import { describe } from 'vitest';
import type { StorageTarget } from '../storage/storage-target.js';
import {
  type StorageTargetContractOptions,
  type StorageTargetFactory,
  useTargetHarness,
} from './storage-target-harness.js';
import {
  capabilities,
  concurrency,
  integrity,
  keys,
  listing,
  metadata,
  missingAndDelete,
  overwrite,
  roundTrips,
} from './storage-target-suites.js';

/**
 * The contract's suites by name; each registers its cases for one target factory.
 *
 * @example
 * describe('local', () => storageTargetSuites.listing(factory));
 */
export const storageTargetSuites = Object.freeze({
  capabilities,
  roundTrips,
  listing,
  missingAndDelete,
  overwrite,
  keys,
  concurrency,
  integrity,
  metadata,
});

/**
 * Registers every suite of the `StorageTarget` contract under `StorageTarget contract: <name>`,
 * then `options.additionalTests`. Each test gets a fresh target from `factory` and uses keys under
 * a fresh random prefix.
 *
 * @example
 * describeStorageTarget('local', ({ dir }) => new LocalDirectoryTarget({ dir }), { corrupt });
 */
export function describeStorageTarget<T extends StorageTarget>(
  name: string,
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): void {
  describe(`StorageTarget contract: ${name}`, () => {
    for (const suite of Object.values(storageTargetSuites)) suite(factory, options);
    if (options.additionalTests) {
      const additional = options.additionalTests;
      describe('additional tests', () => additional(useTargetHarness(factory, options)));
    }
  });
}
