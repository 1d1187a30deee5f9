import { listStoredPairs, type PairLayout } from '../backup/stored-pairs.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { comparePhases } from './archive-io.js';
import {
  ARCHIVE_MANIFEST_NAME,
  ARCHIVE_NAME,
  ARCHIVE_ROOT_PREFIX,
  parseArchiveKey,
} from './archive-layout.js';
import { type ArchiveObjectState, supportsArchiveTier } from './archive-tier.js';

const ARCHIVE_PAIRS: PairLayout<{ phase: string; file: string }> = {
  prefix: ARCHIVE_ROOT_PREFIX,
  dataName: ARCHIVE_NAME,
  manifestName: ARCHIVE_MANIFEST_NAME,
  parse: parseArchiveKey,
};

/** One phase archive a target holds. */
export interface ArchiveListing {
  /** The phase as written in the key (after `Phase_`). */
  phase: string;
  archiveKey: string;
  manifestKey: string;
  /** Bytes of the archive. */
  bytes: number;
  /** SHA-256 of the archive, as the target reports it. */
  sha256: string;
  modified: Date;
  /** False when the archive or its manifest is missing (an interrupted archive: run it again). */
  complete: boolean;
  /** The archive's tier and restore state, on targets with an archive tier. */
  state?: ArchiveObjectState;
}

/**
 * Every phase archive under `SubAgentTracking/Archive/` on `target`, in phase order, with its
 * archive state (Glacier, restoring, restored) when the target has an archive tier. Downloads
 * nothing.
 *
 * @example
 * for (const a of await listArchives(s3Target)) console.log(a.phase, a.bytes, a.state?.state);
 */
export async function listArchives(target: StorageTarget): Promise<ArchiveListing[]> {
  const out: ArchiveListing[] = [];
  for (const pair of await listStoredPairs(target, ARCHIVE_PAIRS)) {
    const listing: ArchiveListing = {
      phase: pair.parsed.phase,
      archiveKey: pair.dataKey,
      manifestKey: pair.manifestKey,
      bytes: pair.bytes,
      sha256: pair.sha256,
      modified: pair.modified,
      complete: pair.complete,
    };
    if (pair.hasData && supportsArchiveTier(target)) listing.state = await target.archiveState(pair.dataKey);
    out.push(listing);
  }
  return out.sort((a, b) => comparePhases(a.phase, b.phase));
}
