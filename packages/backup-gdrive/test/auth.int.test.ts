import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isSatError } from '@sat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleDriveTarget, GDRIVE_TOKEN_FILE } from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { FAST_RETRY, fakeTarget, readAll, rejection, tempDir } from './helpers.js';

let fake: FakeDriveServer;
let temp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  fake = await FakeDriveServer.start();
  temp = tempDir();
});
afterEach(async () => {
  await fake.close();
  temp.remove();
});

const tokenFile = () => join(temp.dir, GDRIVE_TOKEN_FILE);
const stored = () => JSON.parse(readFileSync(tokenFile(), 'utf8')) as Record<string, unknown>;

/** Every text a user or a log could see of an error: message, stack, details, causes. */
function everything(error: unknown): string {
  return [
    String(error),
    (error as Error)?.stack ?? '',
    JSON.stringify((error as { details?: unknown })?.details ?? {}),
    inspect(error, { depth: 20, showHidden: true }),
  ].join('\n');
}

describe('credentials', () => {
  it('an expired access token is refreshed transparently and the new one persisted, refresh token kept', async () => {
    const target = await fakeTarget(fake, temp.dir);
    await target.put('a.txt', Buffer.from('a'));
    const before = stored();
    fake.expireAccessTokens();
    expect((await readAll(await target.get('a.txt'))).toString()).toBe('a');
    const after = stored();
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).toBe(before.refresh_token);
    expect(after.client_secret).toBe(before.client_secret);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    // A new process uses the persisted token without refreshing.
    const tokenCalls = fake.counts.token ?? 0;
    const again = await createGoogleDriveTarget({
      credentialsDir: temp.dir,
      rootUrl: fake.rootUrl,
      tokenUrl: fake.tokenUrl,
    });
    expect((await again.stat('a.txt'))?.size).toBe(1);
    expect(fake.counts.token ?? 0).toBe(tokenCalls);
  });

  it('a token expiring in the middle of an upload is refreshed and the upload goes on', async () => {
    const target = await fakeTarget(fake, temp.dir, { chunkSize: 256 * 1024 });
    fake.expireAccessTokens();
    const put = await target.put('mid.bin', Buffer.alloc(700_000, 3));
    expect(put.size).toBe(700_000);
    expect(fake.counts.token).toBeGreaterThanOrEqual(1);
  });

  it('a revoked or expired refresh token (invalid_grant) is a TARGET_ERROR that explains it and the fix', async () => {
    const target = await fakeTarget(fake, temp.dir);
    fake.revokeRefreshTokens();
    fake.expireAccessTokens();
    const error = await rejection(target.stat('a.txt'));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('invalid_grant');
    expect(message).toContain('7 days');
    expect(message).toContain('sat setup gdrive');
    expect(message).toContain(tokenFile());
  });

  it('no token file: TARGET_ERROR naming the file and the fix', async () => {
    const error = await rejection(createGoogleDriveTarget({ credentialsDir: temp.dir }));
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect((error as Error).message).toBe(
      `[backup-gdrive] no Google Drive credentials in ${tokenFile()}: run 'sat setup gdrive'`,
    );
  });

  it('location never holds a credential', async () => {
    const target = await fakeTarget(fake, temp.dir, { folder: 'Backups/sat' });
    expect(target.location).toBe('gdrive:My Drive/Backups/sat');
    for (const secret of fake.secrets()) expect(target.location).not.toContain(secret);
  });

  it('no access token, refresh token or client secret appears in any error, its details or causes', async () => {
    const errors: unknown[] = [];
    const target = await fakeTarget(fake, temp.dir, { retry: FAST_RETRY });
    await target.put('k.bin', Buffer.alloc(10, 1));
    fake.inject({ op: 'files.list', status: 503, times: 100 });
    errors.push(await rejection(target.stat('k.bin')));
    fake.clearFaults();
    fake.inject({ op: 'files.list', status: 403, reason: 'insufficientPermissions', times: 100 });
    errors.push(await rejection(target.stat('k.bin')));
    fake.clearFaults();
    fake.inject({ op: 'upload.chunk', status: 400, reason: 'badRequest', times: 100 });
    errors.push(await rejection(target.put('k2.bin', Buffer.alloc(10, 1))));
    fake.clearFaults();
    fake.inject({ op: 'upload.chunk', corruptUpload: true });
    errors.push(await rejection(target.put('k3.bin', Buffer.alloc(10, 1))));
    fake.corrupt(fake.fileByKey('k.bin')!.id);
    errors.push(await rejection(readAll(await target.get('k.bin'))));
    fake.inject({ op: 'token', status: 500, times: 100 });
    fake.expireAccessTokens();
    errors.push(await rejection(target.stat('k.bin')));
    fake.clearFaults();
    fake.revokeRefreshTokens();
    errors.push(await rejection(target.stat('k.bin')));
    expect(errors.every((e) => isSatError(e))).toBe(true);
    const secrets = [...fake.secrets(), String(stored().access_token), String(stored().refresh_token)];
    expect(secrets.length).toBeGreaterThan(3);
    for (const error of errors) {
      const text = everything(error);
      for (const secret of secrets) expect(text.includes(secret), `${(error as Error).message}`).toBe(false);
    }
  });
});
