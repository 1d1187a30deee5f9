import type { BackupMarker } from '../log/backup-marker.js';
import type { StorageTarget } from '../storage/storage-target.js';
import {
  BACKUP_ROOT,
  BUNDLE_NAME,
  MANIFEST_NAME,
  type ParsedBackupKey,
  parseBackupKey,
} from './backup-layout.js';
import { listStoredPairs, type PairLayout } from './stored-pairs.js';

const BACKUP_PAIRS: PairLayout<ParsedBackupKey> = {
  prefix: `${BACKUP_ROOT}/`,
  dataName: BUNDLE_NAME,
  manifestName: MANIFEST_NAME,
  parse: parseBackupKey,
};

/** One session backup a target holds. */
export interface BackupListing {
  session: string;
  /** The phase folder it is under (`Phase_<phase>`). */
  phase: string;
  bundleKey: string;
  manifestKey: string;
  /** Bytes of the bundle. */
  bytes: number;
  /** SHA-256 of the bundle, as the target reports it. */
  sha256: string;
  /** When the bundle was written to the target. */
  modified: Date;
  /** False when the bundle or its manifest is missing (an interrupted upload: back the session up again). */
  complete: boolean;
}

/**
 * Every session backup `target` holds under `SubAgentTracking/`, newest first. Reads only the
 * listing (no bundle or manifest is downloaded).
 *
 * @example
 * for (const b of await listBackups(target)) console.log(b.session, b.phase, b.bytes, b.modified);
 */
export async function listBackups(target: StorageTarget): Promise<BackupListing[]> {
  const pairs = await listStoredPairs(target, BACKUP_PAIRS);
  return pairs
    .map(
      (pair): BackupListing => ({
        session: pair.parsed.session,
        phase: pair.parsed.phase,
        bundleKey: pair.dataKey,
        manifestKey: pair.manifestKey,
        bytes: pair.bytes,
        sha256: pair.sha256,
        modified: pair.modified,
        complete: pair.complete,
      }),
    )
    .sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.session.localeCompare(b.session));
}

/**
 * Where a session's backup is on `target`: the place its backup marker names when the target
 * still holds it, else the newest complete backup of the session found in the listing.
 */
export async function findSessionBackup(
  target: StorageTarget,
  session: string,
  marker?: BackupMarker,
): Promise<{ bundleKey: string; manifestKey: string } | undefined> {
  if (marker?.target === target.name && marker.key && marker.manifestKey) {
    const [bundle, manifest] = await Promise.all([target.stat(marker.key), target.stat(marker.manifestKey)]);
    if (bundle && manifest) return { bundleKey: marker.key, manifestKey: marker.manifestKey };
  }
  const mine = (await listBackups(target)).filter((b) => b.session === session && b.complete);
  const newest = mine[0];
  return newest ? { bundleKey: newest.bundleKey, manifestKey: newest.manifestKey } : undefined;
}
