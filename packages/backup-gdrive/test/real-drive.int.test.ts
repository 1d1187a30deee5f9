/**
 * The contract suite against the real Google Drive, run only when these are set:
 * SAT_GDRIVE_CLIENT_ID, SAT_GDRIVE_CLIENT_SECRET, SAT_GDRIVE_REFRESH_TOKEN (a refresh token for the
 * drive.file scope, e.g. from `sat setup gdrive`). Everything goes under a fresh folder
 * `sat-contract-<uuid>` of My Drive, removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { drive } from '@googleapis/drive';
import { describeStorageTarget } from '@sat/core/testing';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, describe } from 'vitest';
import { createGoogleDriveTarget, GDRIVE_TOKEN_FILE, type GoogleDriveTarget } from '../src/index.js';
import { writeTokenFile } from '../src/token-file.js';
import { tempDir } from './helpers.js';

const env = {
  clientId: process.env.SAT_GDRIVE_CLIENT_ID,
  clientSecret: process.env.SAT_GDRIVE_CLIENT_SECRET,
  refreshToken: process.env.SAT_GDRIVE_REFRESH_TOKEN,
};
const enabled = Boolean(env.clientId && env.clientSecret && env.refreshToken);
const folder = `sat-contract-${randomUUID()}`;

describe.skipIf(!enabled)('real Google Drive', () => {
  const temp = tempDir();
  if (enabled) {
    writeTokenFile(join(temp.dir, GDRIVE_TOKEN_FILE), {
      format: 'sat-gdrive/1',
      client_id: env.clientId!,
      client_secret: env.clientSecret!,
      refresh_token: env.refreshToken!,
      created: new Date().toISOString(),
    });
  }

  afterAll(async () => {
    try {
      const auth = new OAuth2Client({ clientId: env.clientId, clientSecret: env.clientSecret });
      auth.setCredentials({ refresh_token: env.refreshToken });
      const api = drive({ version: 'v3', auth: auth as never });
      const found = await api.files.list({
        q: `name = '${folder}' and 'root' in parents and trashed = false`,
        fields: 'files(id)',
      });
      for (const f of found.data.files ?? []) await api.files.delete({ fileId: f.id! });
    } finally {
      temp.remove();
    }
  });

  describeStorageTarget<GoogleDriveTarget>(
    'gdrive (real)',
    () => createGoogleDriveTarget({ credentialsDir: temp.dir, folder, chunkSize: 4 * 1024 * 1024 }),
    {
      largeObjectBytes: 12 * 1024 * 1024,
      timeoutMs: 180_000,
      // Bit rot cannot be caused on real Drive: upload other bytes under the same file id
      // without telling the target (a new revision whose recorded SHA-256 is the old one).
      corrupt: async (target, key) => {
        const stat = await target.stat(key);
        if (!stat) throw new Error(`no ${key}`);
        const auth = new OAuth2Client({ clientId: env.clientId, clientSecret: env.clientSecret });
        auth.setCredentials({ refresh_token: env.refreshToken });
        const api = drive({ version: 'v3', auth: auth as never });
        const hash = (await import('../src/app-properties.js')).keyHash(folder, key);
        const res = await api.files.list({
          q: `appProperties has { key='satKeyHash' and value='${hash}' } and trashed = false`,
          fields: 'files(id)',
        });
        const { Readable } = await import('node:stream');
        await api.files.update({
          fileId: res.data.files![0]!.id!,
          media: { body: Readable.from([Buffer.alloc(stat.size, 0x5a)]) },
        });
      },
    },
  );
});
