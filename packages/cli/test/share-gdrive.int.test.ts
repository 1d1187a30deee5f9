import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDriveServer } from '@sat/backup-gdrive/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

let fake: FakeDriveServer;
beforeEach(async () => {
  fake = await FakeDriveServer.start();
});
afterEach(async () => {
  await fake.close();
});

/** A data root signed in to the local Drive server (the token `sat setup gdrive` would store). */
function signedIn(user: string): { home: string; env: Record<string, string> } {
  const home = tempDir();
  mkdirSync(join(home, 'credentials'), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(home, 'credentials', 'gdrive.json'),
    JSON.stringify({
      format: 'sat-gdrive/1',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      ...fake.issueTokens(),
      created: new Date().toISOString(),
    }),
    { mode: 0o600 },
  );
  const env = {
    SAT_USER: user,
    SAT_MACHINE: `${user}-laptop`,
    SAT_GDRIVE_API_URL: fake.rootUrl,
    SAT_GDRIVE_TOKEN_URL: fake.tokenUrl,
  };
  return { home, env };
}

describe('sat share --target gdrive (a local Drive v3 server)', () => {
  it('uploads the bundle, lets the named person read it, prints the link; sat import <link> merges it', async () => {
    const ana = signedIn('ana');
    expect((await sat(['log', 'decision', '--question', 'Q?', '--selected', 'A'], ana)).code).toBe(0);
    const session = JSON.parse((await sat(['sessions', '--json'], ana)).stdout)[0].session as string;
    const out = join(tempDir(), 'x.sat.tgz');
    const shared = await sat(
      ['share', session, '--out', out, '--target', 'gdrive', '--with', 'bob@example.com'],
      ana,
    );
    expect(shared.code, shared.stderr).toBe(0);
    const link = /on Google Drive \(bob@example\.com may open it\): (\S+)/.exec(shared.stdout)?.[1];
    expect(link).toMatch(/^https:\/\/drive\.google\.com\/file\/d\/[\w-]+\/view/);
    const file = fake.storedFiles().find((f) => f.name === 'x.sat.tgz')!;
    expect(fake.permissionsOf(file.id)).toEqual([
      expect.objectContaining({ type: 'user', role: 'reader', emailAddress: 'bob@example.com' }),
    ]);

    const anyone = await sat(
      ['share', session, '--out', out, '--target', 'gdrive', '--anyone', '--json'],
      ana,
    );
    expect(JSON.parse(anyone.stdout).drive).toMatchObject({
      link,
      permission: { id: 'anyoneWithLink', type: 'anyone' },
    });

    const bob = signedIn('bob');
    const imported = await sat(['import', link!, '--json'], bob);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout).bundles[0];
    expect(result).toMatchObject({
      status: 'imported',
      session,
      bundle: { file: link, shared: { user: 'ana' } },
    });
  });

  it('refuses without --with or --anyone when there is no terminal to ask, uploading nothing', async () => {
    const ana = signedIn('ana');
    expect((await sat(['log', 'decision', '--question', 'Q?', '--selected', 'A'], ana)).code).toBe(0);
    const session = JSON.parse((await sat(['sessions', '--json'], ana)).stdout)[0].session as string;
    const run = await sat(
      ['share', session, '--out', join(tempDir(), 'y.sat.tgz'), '--target', 'gdrive'],
      ana,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--with EMAIL');
    expect(fake.storedFiles()).toEqual([]);
  });
});
