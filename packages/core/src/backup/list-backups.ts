import type { BackupMarker } from '../log/backup-marker.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { BACKUP_ROOT, BUNDLE_NAME, MANIFEST_NAME, parseBackupKey } from './backup-layout.js';

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
  const found = new Map<string, BackupListing & { hasBundle: boolean; hasManifest: boolean }>();
  for await (const object of target.list(`${BACKUP_ROOT}/`)) {
    const parsed = parseBackupKey(object.key);
    if (!parsed || (parsed.file !== BUNDLE_NAME && parsed.file !== MANIFEST_NAME)) continue;
    const prefix = object.key.slice(0, -parsed.file.length);
    const entry = found.get(prefix) ?? {
      session: parsed.session,
      phase: parsed.phase,
      bundleKey: `${prefix}${BUNDLE_NAME}`,
      manifestKey: `${prefix}${MANIFEST_NAME}`,
      bytes: 0,
      sha256: '',
      modified: object.modified,
      complete: false,
      hasBundle: false,
      hasManifest: false,
    };
    if (parsed.file === BUNDLE_NAME) {
      entry.bytes = object.size;
      entry.sha256 = object.checksum.sha256;
      entry.modified = object.modified;
      entry.hasBundle = true;
    } else entry.hasManifest = true;
    found.set(prefix, entry);
  }
  return [...found.values()]
    .map(({ hasBundle, hasManifest, ...entry }) => ({ ...entry, complete: hasBundle && hasManifest }))
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
