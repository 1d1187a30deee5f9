import type { StorageTarget } from '../storage/storage-target.js';

/**
 * Where an object on an archive-tier target stands: `available` (readable now), `archived` (in
 * a cold tier such as S3 Glacier: must be restored first), `restoring` (a restore is under way),
 * `restored` (a temporary readable copy exists until `restoreExpiresAt`).
 */
export type ArchiveState = 'available' | 'archived' | 'restoring' | 'restored';

/** How fast (and how dearly) an archived object comes back: S3's retrieval tiers. */
export type RestoreTier = 'Standard' | 'Bulk' | 'Expedited';

/** What {@link ArchiveTierTarget.archiveState} reports. */
export interface ArchiveObjectState {
  state: ArchiveState;
  /** The service's own name of the tier (`STANDARD`, `GLACIER`, `DEEP_ARCHIVE`). */
  storageClass: string;
  /** Until when a restored copy stays readable. */
  restoreExpiresAt?: Date;
}

/** Options of {@link ArchiveTierTarget.requestRestore}. */
export interface RestoreRequestOptions {
  /** Days the restored copy stays readable. Default 7. */
  days?: number;
  /** Retrieval tier. Default `Standard`. */
  tier?: RestoreTier;
}

/**
 * What a restore request did: `started`, `in-progress` (one was already running),
 * `already-restored` (a readable copy exists; its expiry was extended), `not-archived` (the
 * object is readable as it is).
 */
export interface RestoreRequestResult {
  status: 'started' | 'in-progress' | 'already-restored' | 'not-archived';
}

/**
 * The optional extras of a {@link StorageTarget} with an archive tier (`capabilities.archiveTier`):
 * reading an object's archive state and asking for a restore. Declared here structurally so core
 * needs no cloud SDK; `@sat/archive-s3`'s `S3Target` implements it.
 */
export interface ArchiveTierTarget extends StorageTarget {
  /** The archive state of the object at `key` (`NOT_FOUND` when there is none). */
  archiveState(key: string): Promise<ArchiveObjectState>;
  /** Asks the service to make a readable copy of an archived object. */
  requestRestore(key: string, options?: RestoreRequestOptions): Promise<RestoreRequestResult>;
}

/**
 * True when `target` declares an archive tier and has the methods to use it.
 *
 * @example
 * if (supportsArchiveTier(target)) console.log((await target.archiveState(key)).state);
 */
export function supportsArchiveTier(target: StorageTarget): target is ArchiveTierTarget {
  const candidate = target as Partial<ArchiveTierTarget>;
  return (
    target.capabilities.archiveTier &&
    typeof candidate.archiveState === 'function' &&
    typeof candidate.requestRestore === 'function'
  );
}
