import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDriveServer } from '@sat/backup-gdrive/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Run, sat, tempDir } from './helpers.js';

let fake: FakeDriveServer;
beforeEach(async () => {
  fake = await FakeDriveServer.start();
});
afterEach(async () => {
  await fake.close();
});

/** The environment that points sat at the local Drive v3 server (and gives the client secret). */
function driveEnv(home: string): Record<string, string> {
  return {
    SAT_HOME: home,
    SAT_GDRIVE_CLIENT_SECRET: fake.clientSecret,
    SAT_GDRIVE_AUTH_URL: fake.authorizationUrl,
    SAT_GDRIVE_TOKEN_URL: fake.tokenUrl,
    SAT_GDRIVE_API_URL: fake.rootUrl,
  };
}

/**
 * Runs `sat setup gdrive` and plays the user's browser: takes the sign-in address it prints, lets
 * the consent page redirect to the loopback address, follows it.
 */
function setupGdrive(home: string, extra: string[] = []): Promise<Run> {
  let stderr = '';
  let consented = false;
  return sat(['setup', 'gdrive', '--client-id', fake.clientId, '--no-browser', ...extra], {
    env: driveEnv(home),
    onStderr(text) {
      stderr += text;
      const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stderr)?.[1];
      if (url && !consented) {
        consented = true;
        void (async () => {
          const consent = await fetch(url, { redirect: 'manual' });
          await fetch(consent.headers.get('location')!);
        })();
      }
    },
  });
}

/** Logs a small closed session; returns its id. */
async function closedSession(home: string): Promise<string> {
  expect(
    (await sat(['log', 'decision', '--question', 'Which DB?', '--selected', 'SQLite'], { home })).code,
  ).toBe(0);
  expect((await sat(['log', 'session_end'], { home })).code).toBe(0);
  const sessions = JSON.parse((await sat(['sessions', '--json'], { home })).stdout) as Array<{
    session: string;
  }>;
  return sessions.at(-1)!.session;
}

describe('Google Drive from the CLI (a local Drive v3 server)', () => {
  it('sat setup gdrive signs in with PKCE, stores the token 0600, makes Drive the target; backup and restore go through it', async () => {
    const home = tempDir();
    const setup = await setupGdrive(home);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stderr).toContain('Desktop app');
    expect(setup.stdout).toContain('Google Drive connected');
    expect(setup.stdout).toContain('checked: upload, checksums, read-back and delete');
    const tokenFile = join(home, 'credentials', 'gdrive.json');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(join(home, 'sat.config.json'), 'utf8'));
    expect(config.backup.target).toBe('gdrive');

    const session = await closedSession(home);
    const backup = await sat(['backup', session, '--json'], { home, env: driveEnv(home) });
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout);
    expect(result.target).toBe('gdrive');
    expect(result.sessions[0]).toMatchObject({ status: 'uploaded' });
    expect(fake.storedFiles().some((f) => f.name === 'bundle.tar.gz')).toBe(true);

    const listed = await sat(['backups', '--json'], { home, env: driveEnv(home) });
    expect(JSON.stringify(JSON.parse(listed.stdout))).toContain(session);

    // Lose the local copy, then restore it from Drive.
    const log = join(home, 'logs', `${session}.jsonl.gz`);
    const before = readFileSync(log);
    rmSync(log);
    const restore = await sat(['restore', session, '--json'], { home, env: driveEnv(home) });
    expect(restore.code, restore.stderr).toBe(0);
    expect(readFileSync(log).equals(before)).toBe(true);

    // No credential is ever printed.
    const token = JSON.parse(readFileSync(tokenFile, 'utf8'));
    const printed = [setup, backup, listed, restore].map((r) => r.stdout + r.stderr).join('\n');
    const secrets = [...fake.secrets(), token.refresh_token, token.access_token].filter(Boolean);
    expect(secrets.length).toBeGreaterThan(2);
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });

  it('without a token, sat backup --target gdrive says to run sat setup gdrive', async () => {
    const home = tempDir();
    const run = await sat(['backup', '--all', '--target', 'gdrive'], { home, env: driveEnv(home) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('sat setup gdrive');
  });

  it('sat doctor checks the Drive token offline: missing is an error, readable by others is fixed', async () => {
    const home = tempDir();
    const env = { SAT_BACKUP_TARGET: 'gdrive' };
    const missing = await sat(['doctor', '--json'], { home, env });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).findings).toContainEqual(
      expect.objectContaining({ check: 'backup target', status: 'error', fix: 'sat setup gdrive' }),
    );
    mkdirSync(join(home, 'credentials'), { recursive: true });
    const token = join(home, 'credentials', 'gdrive.json');
    writeFileSync(token, '{}');
    chmodSync(token, 0o644);
    const open = JSON.parse((await sat(['doctor', '--json'], { home, env })).stdout);
    expect(open.findings).toContainEqual(expect.objectContaining({ check: 'backup target', status: 'warn' }));
    expect((await sat(['doctor', '--fix'], { home, env })).code).toBe(0);
    expect(statSync(token).mode & 0o777).toBe(0o600);
  });
});
