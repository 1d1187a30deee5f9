import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, writeTombstone } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const ANA = { SAT_USER: 'ana', SAT_MACHINE: 'ana-laptop' };
const BOB = { SAT_USER: 'bob', SAT_MACHINE: 'bob-laptop' };

/** Logs a small session in `home` as `env`'s user; returns its id. */
async function loggedSession(home: string, env: Record<string, string>): Promise<string> {
  expect(
    (await sat(['log', 'decision', '--question', 'Which DB?', '--selected', 'SQLite'], { home, env })).code,
  ).toBe(0);
  const error = JSON.stringify({ error_type: 'Timeout', message: 'the build took too long' });
  expect((await sat(['log', 'error'], { home, env, input: error })).code).toBe(0);
  const rows = JSON.parse((await sat(['sessions', '--json'], { home, env })).stdout) as Array<{
    session: string;
  }>;
  return rows.at(-1)!.session;
}

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, prefix: string) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}:${readFileSync(path).toString('base64')}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

describe('sat share and sat import of a bundle', () => {
  it('shares a session to ./<session>.sat.tgz, imports it elsewhere once, and says whose it is', async () => {
    const ana = tempDir();
    const bob = tempDir();
    const work = tempDir();
    const session = await loggedSession(ana, ANA);
    const shared = await sat(['share', session.slice(0, 8), '--json'], { home: ana, env: ANA, cwd: work });
    expect(shared.code, shared.stderr).toBe(0);
    const out = JSON.parse(shared.stdout);
    expect(out).toMatchObject({
      session,
      file: join(work, `${session}.sat.tgz`),
      shared: { user: 'ana', machine: 'ana-laptop' },
    });
    expect(out.drive).toBeUndefined();

    const imported = await sat(['import', out.file], { home: bob, env: BOB });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`session ${session}, shared by ana@ana-laptop on `);
    expect(imported.stdout).toMatch(/merged into session \S+: \d+ events appended, 0 already there/);
    const again = await sat(['import', out.file, '--json'], { home: bob, env: BOB });
    const second = JSON.parse(again.stdout);
    expect(second.bundles[0]).toMatchObject({ status: 'unchanged', appended: 0, bundle: { id: out.id } });

    const table = await sat(['sessions'], { home: bob, env: BOB });
    expect(table.stdout).toMatch(/OWNER/);
    expect(table.stdout).toContain('ana@ana-laptop');
    const rows = JSON.parse((await sat(['sessions', '--json'], { home: bob, env: BOB })).stdout);
    expect(rows[0].owner).toEqual({ user: 'ana', machine: 'ana-laptop', local: false });
    const mine = JSON.parse((await sat(['sessions', '--json'], { home: ana, env: ANA })).stdout);
    expect(mine[0].owner).toEqual({ user: 'ana', machine: 'ana-laptop', local: true });
    const show = await sat(['show', session], { home: bob, env: BOB });
    expect(show.stdout).toMatch(/owner\s+ana@ana-laptop \(imported/);
    const json = JSON.parse((await sat(['show', session, '--json'], { home: bob, env: BOB })).stdout);
    expect(json.owner).toEqual({ user: 'ana', machine: 'ana-laptop', local: false });
    expect((await sat(['show', session], { home: ana, env: ANA })).stdout).toMatch(
      /owner\s+you \(ana@ana-laptop\)/,
    );
  });

  it('refuses a file that is not a valid bundle, changes nothing, and still imports the good one', async () => {
    const ana = tempDir();
    const bob = tempDir();
    const work = tempDir();
    const session = await loggedSession(ana, ANA);
    const good = join(work, 'good.sat.tgz');
    expect((await sat(['share', session, '--out', good], { home: ana, env: ANA })).code).toBe(0);
    const bad = join(work, 'bad.sat.tgz');
    writeFileSync(bad, readFileSync(good).subarray(0, 60));
    await loggedSession(bob, BOB);
    const before = tree(join(bob, 'logs'));
    const alone = await sat(['import', bad], { home: bob, env: BOB });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain(`bundle ${bad} is not a readable tar.gz bundle`);
    expect(tree(join(bob, 'logs'))).toEqual(before);
    const both = await sat(['import', bad, good, '--json'], { home: bob, env: BOB });
    expect(both.code).toBe(1);
    const result = JSON.parse(both.stdout);
    expect(result.failures).toEqual([expect.objectContaining({ source: bad, code: 'INVALID_BUNDLE' })]);
    expect(result.bundles[0]).toMatchObject({ status: 'imported', session });
  });

  it('keeps a purged session out unless --include-purged', async () => {
    const ana = tempDir();
    const bob = tempDir();
    const session = await loggedSession(ana, ANA);
    const file = join(tempDir(), 's.sat.tgz');
    expect((await sat(['share', session, '--out', file], { home: ana, env: ANA })).code).toBe(0);
    writeTombstone(loadConfig({ root: bob, cwd: bob, env: {} }).paths.logs, session);
    const skipped = await sat(['import', file], { home: bob, env: BOB });
    expect(skipped.stdout).toContain('was purged here (pass --include-purged to bring it back)');
    expect(existsSync(join(bob, 'logs', `${session}.jsonl`))).toBe(false);
    const brought = await sat(['import', file, '--include-purged'], { home: bob, env: BOB });
    expect(brought.stdout).toMatch(/\d+ events appended/);
    expect(existsSync(join(bob, 'logs', `${session}.jsonl`))).toBe(true);
  });

  it('says what is wrong with the flags before writing anything', async () => {
    const ana = tempDir();
    const work = tempDir();
    const session = await loggedSession(ana, ANA);
    const cases: Array<[string[], RegExp]> = [
      [['--with', 'bob@example.com'], /add --target gdrive/],
      [['--target', 's3'], /only to gdrive/],
      [['--target', 'gdrive', '--with', 'bob@example.com', '--anyone'], /not both/],
      [['--target', 'gdrive'], /--with EMAIL \(one person\) or --anyone \(anyone with the link\)/],
      [['--target', 'gdrive', '--with', 'bob'], /needs an e-mail address/],
    ];
    for (const [flags, message] of cases) {
      const run = await sat(['share', session, ...flags], { home: ana, env: ANA, cwd: work });
      expect(run.code, flags.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    expect(readdirSync(work)).toEqual([]);
    const missing = await sat(['share', 'no-such-session'], { home: ana, env: ANA, cwd: work });
    expect(missing.code).toBe(1);
  });
});
