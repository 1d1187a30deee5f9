import { loadConfig } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { backupFindings } from '../src/backup-health.js';
import { tempDir } from './helpers.js';

describe('sat doctor: the mongo backup target', () => {
  it('is an error without a connection string, ok with one (the password never shown)', () => {
    const root = tempDir();
    const target = (env: Record<string, string>) =>
      backupFindings(loadConfig({ root, env: { SAT_BACKUP_TARGET: 'mongo', ...env } })).find(
        (f) => f.check === 'backup target',
      );
    expect(target({})).toMatchObject({
      status: 'error',
      fix: 'set store.mongo.url in sat.config.json or SAT_MONGO_URL',
    });
    const ok = target({
      SAT_MONGO_URL: 'mongodb://ana:pw-Secret-9@db.example.net/',
      SAT_MONGO_DATABASE: 'team',
    });
    expect(ok).toMatchObject({ status: 'ok', detail: expect.stringContaining('GridFS in database team') });
    expect(JSON.stringify(ok)).not.toContain('pw-Secret-9');
  });
});
