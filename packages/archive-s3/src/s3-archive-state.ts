/** Storage classes whose objects must be restored before they can be read. */
export const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** Where an object stands: readable, archived, being restored, or restored (a temporary copy). */
export type S3ArchiveState = 'available' | 'archived' | 'restoring' | 'restored';

/** What {@link archiveStateOf} derives from a HEAD response. */
export interface ParsedArchiveState {
  state: S3ArchiveState;
  /** `STANDARD` when S3 names none. */
  storageClass: string;
  /** Until when the restored copy stays readable. */
  restoreExpiresAt?: Date;
}

/**
 * Reads the state from a HEAD response's storage class and `x-amz-restore` header
 * (`ongoing-request="true"`, or `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`).
 *
 * @example
 * archiveStateOf('GLACIER', 'ongoing-request="true"'); // { state: 'restoring', storageClass: 'GLACIER' }
 */
export function archiveStateOf(
  storageClass: string | undefined,
  restore: string | undefined,
): ParsedArchiveState {
  const cls = storageClass ?? 'STANDARD';
  if (!ARCHIVE_CLASSES.has(cls)) return { state: 'available', storageClass: cls };
  if (!restore) return { state: 'archived', storageClass: cls };
  const ongoing = /ongoing-request="?(true|false)"?/i.exec(restore)?.[1]?.toLowerCase();
  if (ongoing === 'true') return { state: 'restoring', storageClass: cls };
  const expiry = /expiry-date="([^"]+)"/i.exec(restore)?.[1];
  const restoreExpiresAt = expiry ? new Date(expiry) : undefined;
  if (restoreExpiresAt && restoreExpiresAt.getTime() <= Date.now())
    return { state: 'archived', storageClass: cls };
  return { state: 'restored', storageClass: cls, ...(restoreExpiresAt ? { restoreExpiresAt } : {}) };
}
