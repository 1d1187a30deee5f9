import { UsageError } from './errors.js';

/**
 * Imports an adapter package the user may not have installed (the cloud clients are not
 * dependencies of the CLI), and turns its absence into a `UsageError` that says what to install.
 *
 * @example
 * const gdrive = await loadAdapter('@sat/backup-gdrive', 'the Google Drive target', () => import('@sat/backup-gdrive'));
 */
export async function loadAdapter<T>(pkg: string, why: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    if (missing && String((error as Error).message).includes(pkg))
      throw new UsageError(`${why} needs the package ${pkg}, which is not installed: npm i ${pkg}`);
    throw error;
  }
}
