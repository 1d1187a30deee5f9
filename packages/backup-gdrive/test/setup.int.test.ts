import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSatError } from '@sat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGoogleDriveTarget,
  DRIVE_FILE_SCOPE,
  GDRIVE_SETUP_STEPS,
  GDRIVE_TOKEN_FILE,
  setupGoogleDrive,
} from '../src/index.js';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { readAll, rejection, tempDir } from './helpers.js';

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

/** What Google's consent page does once the user allows: redirect to the loopback address. */
async function consent(authUrl: string): Promise<URL> {
  const res = await fetch(authUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('setupGoogleDrive (loopback + PKCE)', () => {
  it('runs the whole flow: consent URL, wrong state refused, code exchanged, token stored 0600', async () => {
    const printed: string[] = [];
    const seen: { url?: URL; wrongState?: number; page?: string } = {};
    const credentialsDir = join(temp.dir, 'credentials');
    const result = await setupGoogleDrive({
      credentialsDir,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      authorizationUrl: fake.authorizationUrl,
      tokenUrl: fake.tokenUrl,
      rootUrl: fake.rootUrl,
      print: (line) => printed.push(line),
      openUrl: async (url) => {
        seen.url = new URL(url);
        const back = await consent(url);
        const forged = new URL(back);
        forged.searchParams.set('state', 'forged-state');
        seen.wrongState = (await fetch(forged)).status;
        const res = await fetch(back);
        expect(res.status).toBe(200);
        seen.page = await res.text();
      },
    });
    const p = seen.url!.searchParams;
    expect(p.get('scope')).toBe(DRIVE_FILE_SCOPE);
    expect(p.get('access_type')).toBe('offline');
    expect(p.get('prompt')).toBe('consent');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(p.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.wrongState).toBe(400);
    expect(seen.page).toContain('You can close this tab');

    expect(result).toEqual({
      tokenFile: join(credentialsDir, GDRIVE_TOKEN_FILE),
      email: 'tester@example.com',
      scope: DRIVE_FILE_SCOPE,
    });
    expect(statSync(result.tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(credentialsDir).mode & 0o777).toBe(0o700);
    const token = JSON.parse(readFileSync(result.tokenFile, 'utf8'));
    expect(token).toMatchObject({
      format: 'sat-gdrive/1',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
    expect(token.refresh_token).toMatch(/^1\/\/fake-refresh-/);
    for (const secret of [...fake.secrets(), token.refresh_token, token.access_token])
      for (const line of printed) expect(line).not.toContain(secret);

    // The stored token works.
    const target = await createGoogleDriveTarget({
      credentialsDir,
      rootUrl: fake.rootUrl,
      tokenUrl: fake.tokenUrl,
    });
    await target.put('hello.txt', Buffer.from('hi'));
    expect((await readAll(await target.get('hello.txt'))).toString()).toBe('hi');
  });

  it('a code exchanged without the right PKCE verifier is refused by the token endpoint', async () => {
    let refused: number | undefined;
    const error = await rejection(
      setupGoogleDrive({
        credentialsDir: temp.dir,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        authorizationUrl: fake.authorizationUrl,
        tokenUrl: fake.tokenUrl,
        print: () => {},
        timeoutMs: 2_000,
        openUrl: async (url) => {
          const back = await consent(url);
          // Someone who stole the code but not the verifier cannot use it...
          const res = await fetch(fake.tokenUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code: back.searchParams.get('code')!,
              code_verifier: 'not-the-verifier-0123456789-0123456789-0123456789',
              redirect_uri: new URL(url).searchParams.get('redirect_uri')!,
              client_id: fake.clientId,
              client_secret: fake.clientSecret,
            }),
          });
          refused = res.status;
          // ...and the code is then spent, so the setup's own exchange fails cleanly.
          await fetch(back);
        },
      }),
    );
    expect(refused).toBe(400);
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
  });

  it('access denied in the browser ends the setup with a clear error and no token file', async () => {
    const error = await rejection(
      setupGoogleDrive({
        credentialsDir: temp.dir,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        authorizationUrl: fake.authorizationUrl,
        tokenUrl: fake.tokenUrl,
        print: () => {},
        openUrl: async (url) => {
          const u = new URL(url);
          const back = new URL(u.searchParams.get('redirect_uri')!);
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('state', u.searchParams.get('state')!);
          await fetch(back);
        },
      }),
    );
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/access_denied.*sat setup gdrive/);
    expect(() => statSync(join(temp.dir, GDRIVE_TOKEN_FILE))).toThrow();
  });

  it('gives up after the timeout when the browser never comes back', async () => {
    const error = await rejection(
      setupGoogleDrive({
        credentialsDir: temp.dir,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        authorizationUrl: fake.authorizationUrl,
        tokenUrl: fake.tokenUrl,
        print: () => {},
        openUrl: () => {},
        timeoutMs: 100,
      }),
    );
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/no answer from the browser/);
  });

  it('prints the URL by default and the setup steps explain the Desktop app client and the 7-day expiry', async () => {
    expect(GDRIVE_SETUP_STEPS).toMatch(/Desktop app/);
    expect(GDRIVE_SETUP_STEPS).toMatch(/Google Drive API/);
    expect(GDRIVE_SETUP_STEPS).toMatch(/7 days/);
    const printed: string[] = [];
    await rejection(
      setupGoogleDrive({
        credentialsDir: temp.dir,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        authorizationUrl: fake.authorizationUrl,
        print: (line) => printed.push(line),
        timeoutMs: 50,
      }),
    );
    expect(printed.some((line) => line.includes(fake.authorizationUrl))).toBe(true);
  });
});
