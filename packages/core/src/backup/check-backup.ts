import { isSatError } from '../errors.js';
import { checksumOf } from '../storage/checksum-stream.js';
import type { StorageTarget } from '../storage/storage-target.js';
import type { BackupListing } from './list-backups.js';
import { readBackupManifest } from './read-manifest.js';

/** What {@link checkBackup} found of one backup. */
export interface BackupCheck {
  /** `stored`: its bundle agrees with its manifest; `damaged`: see `problem`; `incomplete`: a part is missing. */
  state: 'stored' | 'damaged' | 'incomplete';
  problem?: string;
  /** True when the whole bundle was read back and hashed (`verify`). */
  verified: boolean;
}

function damaged(problem: string, verified: boolean): BackupCheck {
  return { state: 'damaged', problem, verified };
}

/**
 * Checks one listed backup against its manifest: cheaply (the manifest is read; the bundle's
 * size and the target's recorded SHA-256 must be the ones it lists) or, with `verify`, by reading
 * the whole bundle back and hashing it. Never throws for a damaged backup; a target that cannot
 * be reached throws.
 *
 * @example
 * const { state, problem } = await checkBackup(target, listing, { verify: true });
 */
export async function checkBackup(
  target: StorageTarget,
  listing: BackupListing,
  options: { verify?: boolean } = {},
): Promise<BackupCheck> {
  const verified = Boolean(options.verify);
  if (!listing.complete) return { state: 'incomplete', verified: false };
  let bundle: { bytes: number; sha256: string } | undefined;
  try {
    bundle = (await readBackupManifest(target, listing.manifestKey)).bundle;
  } catch (error) {
    if (isSatError(error, 'TARGET_UNAVAILABLE')) throw error;
    return damaged(`its manifest cannot be read (${(error as Error).message})`, false);
  }
  if (!bundle) return damaged('its manifest does not describe the bundle', false);
  if (listing.bytes !== bundle.bytes)
    return damaged(`the bundle has ${listing.bytes} bytes, its manifest says ${bundle.bytes}`, false);
  if (listing.sha256 && listing.sha256 !== bundle.sha256)
    return damaged("the bundle's SHA-256 is not the one its manifest lists", false);
  if (!verified) return { state: 'stored', verified };
  try {
    const { size, checksum } = await checksumOf(await target.get(listing.bundleKey));
    if (size !== bundle.bytes || checksum.sha256 !== bundle.sha256)
      return damaged("the bundle's bytes do not match its manifest", true);
  } catch (error) {
    if (isSatError(error, 'TARGET_UNAVAILABLE')) throw error;
    return damaged(`the bundle cannot be read back (${(error as Error).message})`, true);
  }
  return { state: 'stored', verified };
}
