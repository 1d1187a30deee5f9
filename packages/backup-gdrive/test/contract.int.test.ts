import { describeStorageTarget } from '@sat/core/testing';
import { afterAll, beforeAll } from 'vitest';
import type { GoogleDriveTarget } from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget } from './helpers.js';

let fake: FakeDriveServer;
beforeAll(async () => {
  fake = await FakeDriveServer.start();
});
afterAll(async () => {
  await fake.close();
});

// Small chunks and pages so the 20 MiB case crosses many chunk boundaries and listing pages.
describeStorageTarget<GoogleDriveTarget>(
  'gdrive',
  ({ dir }) => fakeTarget(fake, dir, { chunkSize: 1024 * 1024, pageSize: 3 }),
  {
    corrupt: async (_target, key) => {
      const file = fake.fileByKey(key);
      if (!file) throw new Error(`no file for ${key}`);
      fake.corrupt(file.id);
    },
  },
);
