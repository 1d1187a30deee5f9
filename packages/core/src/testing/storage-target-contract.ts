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
 *
 * @namespace
 */
export const storageTargetSuites = Object.freeze({
  /** Registers the capabilities cases: the declared name, location and capabilities. */
  capabilities,
  /** Registers the round trips cases: small, empty, large streamed and Readable objects come back byte for byte with their checksums. */
  roundTrips,
  /** Registers the listing cases: listing by prefix. */
  listing,
  /** Registers the missing keys and delete cases: stat and get of a missing key, delete, and deleting a missing key as capabilities.deleteMissing declares. */
  missingAndDelete,
  /** Registers the overwrite cases: an overwrite replaces the object; a failed one keeps the previous (capabilities.atomicPut). */
  overwrite,
  /** Registers the keys cases: unicode keys kept exactly; malformed keys refused with INVALID_KEY. */
  keys,
  /** Registers the concurrency cases: concurrent puts of different keys and of one key. */
  concurrency,
  /** Registers the integrity cases: failing sources, expectedSha256, and damaged bytes detected on get (capabilities.verifiesReads). */
  integrity,
  /** Registers the metadata cases: content type and metadata kept (capabilities.metadata). */
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
