import { describe, expect, it } from 'vitest';
import { loadAdapter } from '../src/adapter-loader.js';
import { UsageError } from '../src/errors.js';

const notFound = (message: string) => Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' });

describe('loadAdapter', () => {
  it('says which package to install when the adapter itself is missing', async () => {
    const load = async () => {
      throw notFound("Cannot find package '@sat/backup-gdrive' imported from /x/cli/dist/bin.js");
    };
    const error = await loadAdapter('@sat/backup-gdrive', 'the Google Drive target', load).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      'the Google Drive target needs the package @sat/backup-gdrive, which is not installed: npm i @sat/backup-gdrive',
    );
  });

  it('passes on any other failure, including a missing dependency of the adapter', async () => {
    const broken = notFound(
      "Cannot find package 'googleapis-common' imported from /x/backup-gdrive/dist/index.js",
    );
    await expect(loadAdapter('@sat/backup-gdrive', 'gdrive', () => Promise.reject(broken))).rejects.toBe(
      broken,
    );
    expect(await loadAdapter('@sat/archive-s3', 's3', async () => 42)).toBe(42);
  });
});
