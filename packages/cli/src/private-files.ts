/** The file-creation mask of every `sat` process: files 0600, folders 0700 (no access for group or others). */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes every file and folder this process creates private to its user (`umask 077`), and
 * returns the previous mask. `bin.ts` calls it before any command runs, so the data root's
 * logs, database, snapshots, handoffs and backups are 0600 in 0700 folders.
 *
 * @example
 * const previous = makeFilesPrivate();
 */
export function makeFilesPrivate(): number {
  return process.umask(PRIVATE_UMASK);
}
