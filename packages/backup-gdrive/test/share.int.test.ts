import { drive as driveClient } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { driveFileId } from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget, readAll, rejection, tempDir } from './helpers.js';

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

/** The official client, signed in with a token the server issued (for requests the target never makes). */
function rawDrive() {
  const auth = new OAuth2Client({ clientId: fake.clientId, clientSecret: fake.clientSecret });
  auth.setCredentials({ access_token: fake.issueTokens().access_token });
  return driveClient({
    version: 'v3',
    auth: auth as never,
    rootUrl: fake.rootUrl,
    retryConfig: { retry: 0 },
  });
}

describe('sharing a file on Drive (permissions.create and webViewLink through googleapis)', () => {
  it('shares a key with a named reader, then with anyone with the link, and gives the webViewLink', async () => {
    const target = await fakeTarget(fake, temp.dir);
    await target.put('SubAgentTracking/Shared/s1.sat.tgz', Buffer.from('bundle bytes'));
    const named = await target.share('SubAgentTracking/Shared/s1.sat.tgz', { email: 'Ana@Example.com' });
    expect(named.link).toBe(`https://drive.google.com/file/d/${named.fileId}/view?usp=drivesdk`);
    expect(named.permission).toMatchObject({ type: 'user', role: 'reader', emailAddress: 'ana@example.com' });
    const again = await target.share('SubAgentTracking/Shared/s1.sat.tgz', { email: 'ana@example.com' });
    expect(again.permission.id).toBe(named.permission.id);
    const anyone = await target.share('SubAgentTracking/Shared/s1.sat.tgz', { anyone: true });
    expect(anyone.permission).toEqual({ id: 'anyoneWithLink', type: 'anyone', role: 'reader' });
    expect(fake.permissionsOf(named.fileId)).toEqual([
      expect.objectContaining({ type: 'user', emailAddress: 'ana@example.com' }),
      expect.objectContaining({ type: 'anyone', allowFileDiscovery: false }),
    ]);
    const { stream, size } = await target.download(driveFileId(named.link)!);
    expect(size).toBe(12);
    expect((await readAll(stream)).toString()).toBe('bundle bytes');
  });

  it('answers bad permission requests as Drive v3 does', async () => {
    const drive = rawDrive();
    const target = await fakeTarget(fake, temp.dir);
    await target.put('a/b.bin', Buffer.from('x'));
    const fileId = fake.storedFiles()[0]!.id;
    const refused = async (requestBody: Record<string, unknown>) => {
      const error = (await rejection(drive.permissions.create({ fileId, requestBody }))) as {
        status?: number;
        response?: { data?: { error?: { errors?: Array<{ reason: string; message: string }> } } };
      };
      const first = error.response?.data?.error?.errors?.[0];
      return { status: error.status, reason: first?.reason, message: first?.message };
    };
    expect(await refused({ type: 'user', emailAddress: 'a@b.co' })).toMatchObject({
      status: 400,
      reason: 'required',
    });
    expect(await refused({ role: 'reader' })).toMatchObject({ status: 400, reason: 'required' });
    expect(await refused({ role: 'reader', type: 'user' })).toMatchObject({
      status: 400,
      reason: 'required',
    });
    expect(await refused({ role: 'reader', type: 'user', emailAddress: 'nope' })).toMatchObject({
      status: 400,
      reason: 'invalid',
    });
    expect(await refused({ role: 'king', type: 'anyone' })).toMatchObject({ status: 400, reason: 'invalid' });
    expect(await refused({ role: 'owner', type: 'user', emailAddress: 'a@b.co' })).toMatchObject({
      status: 403,
    });
    const missing = (await rejection(
      drive.permissions.create({ fileId: 'no-such-file', requestBody: { role: 'reader', type: 'anyone' } }),
    )) as { status?: number };
    expect(missing.status).toBe(404);
    expect(fake.permissionsOf(fileId)).toEqual([]);
    const meta = await drive.files.get({ fileId, fields: 'id,webViewLink' });
    expect(meta.data).toEqual({
      id: fileId,
      webViewLink: `https://drive.google.com/file/d/${fileId}/view?usp=drivesdk`,
    });
  });

  it('a key with no file cannot be shared (NOT_FOUND)', async () => {
    const target = await fakeTarget(fake, temp.dir);
    expect(await rejection(target.share('a/none.bin', { anyone: true }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('driveFileId', () => {
  const id = '1AbCdEfGhIjKlMnOpQrStUvWxYz012345';
  it.each([
    [`https://drive.google.com/file/d/${id}/view?usp=sharing`, id],
    [`https://drive.google.com/open?id=${id}`, id],
    [`https://docs.google.com/uc?id=${id}&export=download`, id],
    [id, id],
    ['https://example.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view', undefined],
    ['http://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view', undefined],
    ['./b1f2.sat.tgz', undefined],
    ['-home-me-projects-some-app-folder', undefined],
  ])('%s → %s', (link, expected) => {
    expect(driveFileId(link)).toBe(expected);
  });
});
