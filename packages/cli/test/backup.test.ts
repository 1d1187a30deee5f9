import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Logs a small closed session into `home`; returns its id. */
async function closedSession(home: string, env: Record<string, string> = {}): Promise<string> {
  const started = await sat(['log', 'decision', '--question', 'Which DB?', '--selected', 'SQLite'], {
    home,
    env,
  });
  expect(started.code, started.stderr).toBe(0);
  const ended = await sat(['log', 'session_end'], { home, env });
  expect(ended.code, ended.stderr).toBe(0);
  const sessions = JSON.parse((await sat(['sessions', '--json'], { home, env })).stdout) as Array<{
    session: string;
  }>;
  return sessions[sessions.length - 1]!.session;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('sat backup, sat backups, sat restore', () => {
  it('backs up, lets gc remove the local log, and restores it byte-identical', async () => {
    const home = tempDir();
    const session = await closedSession(home);
    const log = join(home, 'logs', `${session}.jsonl.gz`);
    const meta = join(home, 'logs', `${session}.meta.json`);
    const before = { log: sha256(log), meta: sha256(meta) };

    const backup = await sat(['backup', session, '--json'], { home });
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout);
    expect(result.sessions[0]).toMatchObject({ session, status: 'uploaded', phase: '0', logClosed: true });
    const bundle = join(home, 'backups', 'SubAgentTracking', 'Phase_0', 'sessions', session, 'bundle.tar.gz');
    expect(sha256(bundle)).toBe(result.sessions[0].sha256);

    const listed = JSON.parse((await sat(['backups', '--json'], { home })).stdout);
    expect(
      listed.backups.map((b: { session: string; complete: boolean }) => [b.session, b.complete]),
    ).toEqual([[session, true]]);

    const gc = await sat(['gc', '--keep', '0', '--json'], { home });
    expect(JSON.parse(gc.stdout).removed).toEqual([session]);
    expect(existsSync(log)).toBe(false);

    const restore = await sat(['restore', session.slice(0, 16)], { home });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(`restored session ${session}`);
    expect({ log: sha256(log), meta: sha256(meta) }).toEqual(before);
    const events = await sat(['events', session, '--json'], { home });
    expect(events.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('queues while the target is unreachable; a later process delivers it, once', async () => {
    const home = tempDir();
    const session = await closedSession(home);
    const mount = join(tempDir(), 'nas');
    const dir = join(mount, 'backups');

    // Process A: the share is not mounted.
    const a = await sat(['backup', session, '--dir', dir, '--json'], { home });
    expect(a.code, a.stderr).toBe(0);
    const queued = JSON.parse(a.stdout).sessions[0];
    expect(queued.status).toBe('queued');
    expect(queued.job.lastError).toContain('is the drive mounted?');
    expect(existsSync(mount)).toBe(false);
    const queue = JSON.parse(readFileSync(join(home, 'state', 'backup-queue.json'), 'utf8'));
    expect(queue.jobs.map((j: { id: string }) => j.id)).toEqual([`${session}:${queued.sha256}`]);
    const pending = await sat(['backups', '--dir', dir], { home });
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain(`${session}\t0\t`);
    expect(pending.stdout).toContain('queued, attempt 1');
    expect(pending.stderr).toContain('cannot list the backups');
    const doctor = JSON.parse((await sat(['doctor', '--json'], { home })).stdout);
    expect(doctor.findings).toContainEqual(
      expect.objectContaining({
        check: 'backup queue',
        status: 'warn',
        detail: expect.stringContaining('1 backup(s) wait for their target'),
      }),
    );

    // Process B, after the share is back: `sat backup` alone works through the queue.
    mkdirSync(mount);
    const b = await sat(['backup', '--dir', dir, '--json'], { home });
    expect(b.code, b.stderr).toBe(0);
    const run = JSON.parse(b.stdout);
    expect(run.queue.jobs.map((j: { status: string }) => j.status)).toEqual(['uploaded']);
    expect(run.queue.remaining).toBe(0);
    const bundle = join(dir, 'SubAgentTracking', 'Phase_0', 'sessions', session, 'bundle.tar.gz');
    expect(sha256(bundle)).toBe(queued.sha256);
    const written = statSync(bundle);
    expect(JSON.parse(readFileSync(join(home, 'state', 'backup-queue.json'), 'utf8')).jobs).toEqual([]);
    expect(readdirSync(join(home, 'state', 'backup-queue'))).toEqual([]);

    // Process C: nothing is sent again.
    const c = await sat(['backup', session, '--dir', dir, '--json'], { home });
    expect(JSON.parse(c.stdout).sessions[0].status).toBe('unchanged');
    const after = statSync(bundle);
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
  });

  it('refuses a restore from a bundle with a flipped byte, restoring nothing', async () => {
    const home = tempDir();
    const session = await closedSession(home);
    expect((await sat(['backup', session], { home })).code).toBe(0);
    expect((await sat(['gc', '--keep', '0'], { home })).code).toBe(0);
    const bundle = join(home, 'backups', 'SubAgentTracking', 'Phase_0', 'sessions', session, 'bundle.tar.gz');
    const bytes = readFileSync(bundle);
    bytes[bytes.length >> 1]! ^= 0x01;
    writeFileSync(bundle, bytes);
    const restore = await sat(['restore', session], { home });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(
      /^sat: \[core\] cannot restore session .*is damaged.*nothing was restored/,
    );
    expect(existsSync(join(home, 'logs', `${session}.jsonl.gz`))).toBe(false);
  });

  it('checks a target with --test, and says what to give when there is nothing to do', async () => {
    const home = tempDir();
    const ok = await sat(['backup', '--test'], { home });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: local target .* works/);
    const down = await sat(['backup', '--test', '--dir', join(home, 'missing', 'backups')], { home });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('is the drive mounted?');
    const nothing = await sat(['backup'], { home });
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toContain('the backup queue is empty: nothing to retry');
    expect(nothing.stdout).toContain('--all');
  });

  it('does not re-upload an unchanged open session, and restores right after backing it up', async () => {
    const home = tempDir();
    const logged = await sat(['log', 'decision', '--question', 'Which DB?', '--selected', 'SQLite'], {
      home,
    });
    expect(logged.code, logged.stderr).toBe(0);
    const [{ session }] = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    const first = JSON.parse((await sat(['backup', '--all', '--json'], { home })).stdout);
    expect(first.sessions[0]).toMatchObject({ session, status: 'uploaded' });
    const again = JSON.parse((await sat(['backup', '--all', '--json'], { home })).stdout);
    expect(again.sessions[0]).toMatchObject({ session, status: 'up-to-date' });

    const restore = await sat(['restore', session], { home });
    expect(restore.code, restore.stderr).toBe(0);

    const more = await sat(['log', 'decision', '--question', 'Which cache?', '--selected', 'none'], { home });
    expect(more.code, more.stderr).toBe(0);
    const changed = JSON.parse((await sat(['backup', '--all', '--json'], { home })).stdout);
    expect(changed.sessions[0]).toMatchObject({ session, status: 'uploaded' });
    writeFileSync(join(home, 'logs', `${session}.jsonl`), '{"broken":true}\n', { flag: 'a' });
    const refused = await sat(['restore', session], { home });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/local \d+ B, sha256 [0-9a-f]{12}…, modified .*; backup \d+ B/);
    expect(refused.stderr).toContain('the local file is longer');
  });

  it('never lets a credential reach the output, the manifest, the bundle, the marker or the log', async () => {
    const home = tempDir();
    const secrets = ['AKIAZZSECRETZZ0123456789', 'sat-secret-token-5c1a9f0e7b', 'ya29.oauth-refresh-secret'];
    const env = {
      AWS_SECRET_ACCESS_KEY: secrets[0]!,
      SAT_BACKUP_TOKEN: secrets[1]!,
      GOOGLE_REFRESH_TOKEN: secrets[2]!,
    };
    mkdirSync(join(home, 'credentials'), { recursive: true });
    writeFileSync(
      join(home, 'credentials', 'gdrive-token.json'),
      JSON.stringify({ refresh_token: secrets[2] }),
    );
    writeFileSync(
      join(home, 'sat.config.json'),
      JSON.stringify({ backup: { target: 'local', dir: 'backups' } }),
    );
    const session = await closedSession(home, env);
    // An open session too: its backup appends a `backup` event to its log.
    expect(
      (await sat(['log', 'decision', '--question', 'open?', '--selected', 'yes'], { home, env })).code,
    ).toBe(0);

    const runs = [
      await sat(['backup', '--all'], { home, env }),
      await sat(['backup', '--all', '--json'], { home, env }),
      await sat(['backup', session, '--dir', join(home, 'offline', 'x'), '--json'], { home, env }),
      await sat(['backup', '--test', '--json'], { home, env }),
      await sat(['backups'], { home, env }),
      await sat(['backups', '--json'], { home, env }),
      await sat(['restore', session, '--json'], { home, env }),
      await sat(['events', 'active', '--json'], { home, env }),
    ];
    for (const run of runs) expect(run.code === 0 || run.code === 1).toBe(true);
    const texts = runs.flatMap((run) => [run.stdout, run.stderr]);
    for (const file of [
      ...files(join(home, 'backups')),
      ...files(join(home, 'logs')),
      ...files(join(home, 'state')),
    ]) {
      const bytes = readFileSync(file);
      texts.push(bytes.toString('latin1'));
      if (file.endsWith('.gz')) texts.push(gunzipSync(bytes).toString('latin1'));
    }
    // The bundles themselves, decompressed: the credentials folder is never bundled.
    expect(files(join(home, 'backups')).some((f) => f.endsWith('bundle.tar.gz'))).toBe(true);
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
