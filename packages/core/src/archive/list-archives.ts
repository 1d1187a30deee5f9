import type { StorageTarget } from '../storage/storage-target.js';
import { comparePhases } from './archive-io.js';
import {
  ARCHIVE_MANIFEST_NAME,
  ARCHIVE_NAME,
  ARCHIVE_ROOT_PREFIX,
  parseArchiveKey,
} from './archive-layout.js';
import { type ArchiveObjectState, supportsArchiveTier } from './archive-tier.js';

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
  const found = new Map<string, ArchiveListing & { hasArchive: boolean; hasManifest: boolean }>();
  for await (const object of target.list(ARCHIVE_ROOT_PREFIX)) {
    const parsed = parseArchiveKey(object.key);
    if (!parsed || (parsed.file !== ARCHIVE_NAME && parsed.file !== ARCHIVE_MANIFEST_NAME)) continue;
    const folder = object.key.slice(0, -parsed.file.length);
    const entry = found.get(folder) ?? {
      phase: parsed.phase,
      archiveKey: `${folder}${ARCHIVE_NAME}`,
      manifestKey: `${folder}${ARCHIVE_MANIFEST_NAME}`,
      bytes: 0,
      sha256: '',
      modified: object.modified,
      complete: false,
      hasArchive: false,
      hasManifest: false,
    };
    if (parsed.file === ARCHIVE_NAME) {
      entry.bytes = object.size;
      entry.sha256 = object.checksum.sha256;
      entry.modified = object.modified;
      entry.hasArchive = true;
    } else entry.hasManifest = true;
    found.set(folder, entry);
  }
  const out: ArchiveListing[] = [];
  for (const { hasArchive, hasManifest, ...entry } of found.values()) {
    const listing: ArchiveListing = { ...entry, complete: hasArchive && hasManifest };
    if (hasArchive && supportsArchiveTier(target))
      listing.state = await target.archiveState(entry.archiveKey);
    out.push(listing);
  }
  return out.sort((a, b) => comparePhases(a.phase, b.phase));
}
