/**
 * What every storage target suite needs: a fresh target per test from the factory, keys under a
 * fresh random prefix, and the cleanup after each test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { StorageTarget } from '../storage/storage-target.js';
import { collect } from './storage-target-fixtures.js';

/** What the suite hands the factory. */
export interface StorageTargetFactoryContext {
  /** A fresh empty folder for this test (a local target keeps its objects there; others may ignore it). */
  dir: string;
}

/** Makes a target for one test. Every key the suite uses starts with a fresh random prefix, so a shared bucket works. */
export type StorageTargetFactory<T extends StorageTarget = StorageTarget> = (
  context: StorageTargetFactoryContext,
) => T | Promise<T>;

/** Options of {@link describeStorageTarget}. */
export interface StorageTargetContractOptions<T extends StorageTarget = StorageTarget> {
  /**
   * Damages one byte of a stored object behind the target's back. Required when the target
   * declares `verifiesReads`: the suite then checks that `get` detects it.
   */
  corrupt?: (target: T, key: string) => Promise<void>;
  /** Bytes of the large streamed object. Default 20 MiB. */
  largeObjectBytes?: number;
  /** Per-test timeout in ms. Default 60,000. */
  timeoutMs?: number;
  /** Called after each test (close clients, remove buckets). */
  dispose?: (target: T) => Promise<void>;
  /** Registers the target's own tests inside the contract's `describe` (unstorage's shape). */
  additionalTests?: (harness: TargetHarness<T>) => void;
}

/** The target of the running test and its key prefix (fresh for each test). */
export interface TargetHarness<T extends StorageTarget = StorageTarget> {
  readonly target: T;
  /** The random prefix of this test's keys, ending in `/`. */
  readonly base: string;
  /** `base` + `suffix`. */
  key(suffix: string): string;
}

/**
 * Registers (in the current `describe`) a fresh target before each test and, after it, the
 * deletion of what the test stored, `options.dispose` and the removal of its folder.
 *
 * @example
 * describe('mine', () => {
 *   const t = useTargetHarness(factory);
 *   it('puts', async () => expect((await t.target.put(t.key('a'), Buffer.from('a'))).size).toBe(1));
 * });
 */
export function useTargetHarness<T extends StorageTarget>(
  factory: StorageTargetFactory<T>,
  options: StorageTargetContractOptions<T> = {},
): TargetHarness<T> {
  let target: T;
  let dir: string;
  let base: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sat-storage-contract-'));
    target = await factory({ dir });
    base = `sat-contract-${randomUUID()}/`;
  });

  afterEach(async () => {
    try {
      for (const item of await collect(target.list(base))) await target.delete(item.key);
    } finally {
      await options.dispose?.(target);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  return {
    get target() {
      return target;
    },
    get base() {
      return base;
    },
    key: (suffix) => `${base}${suffix}`,
  };
}
