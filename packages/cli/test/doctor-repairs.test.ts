import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

interface Finding {
  check: string;
  status: string;
  detail: string;
  fix?: string;
  fixed?: boolean;
}

async function doctor(home: string, ...flags: string[]): Promise<Finding[]> {
  const run = await sat(['--home', home, 'doctor', '--json', ...flags]);
  return (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
}

describe('a way back from a damaged analytics database', () => {
  it('doctor says the database is damaged and to run sat rebuild; rebuild moves it aside and rebuilds it', async () => {
    const home = tempDir();
    expect((await sat(['--home', home, 'import', '--sample'])).code).toBe(0);
    const db = join(home, 'analytics', 'sat.db');
    expect(existsSync(db)).toBe(true);
    writeFileSync(db, 'garbage'.repeat(2000));
    writeFileSync(`${db}-wal`, 'stale wal');
    const found = (await doctor(home)).find((f) => f.check === 'database')!;
    expect(found.status).toBe('error');
    expect(found.fix).toContain("run 'sat rebuild'");

    const rebuilt = await sat(['--home', home, 'rebuild']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/damaged: moved it aside to .*sat\.db\.damaged-/);
    expect(rebuilt.stdout).toMatch(/rebuilt \d+ projection\(s\) from the log: 94 event\(s\)/);
    const names = readdirSync(join(home, 'analytics'));
    const aside = names.find((n) => /^sat\.db\.damaged-[^-].*[^l]$/.test(n) && !n.endsWith('-wal'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(home, 'analytics', `${aside}-wal`), 'utf8')).toBe('stale wal');
    expect((await doctor(home)).find((f) => f.check === 'database')?.status).toBe('ok');
  });
});

describe('leftovers of killed backups', () => {
  it('doctor reports them with their size, --fix removes them and says which', async () => {
    const home = tempDir();
    expect((await sat(['--home', home, 'init', '--no-hooks'])).code).toBe(0);
    const work = join(home, 'state', '.backup-work');
    const dead = join(work, '4194301-0d9e2c1a-0000-4000-8000-000000000000');
    const unnamed = join(work, '0d9e2c1a-0000-4000-8000-000000000001');
    const running = join(work, `${process.pid}-0d9e2c1a-0000-4000-8000-000000000002`);
    for (const dir of [dead, unnamed, running]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'sat.db'), Buffer.alloc(4096));
    }
    utimesSync(unnamed, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const reported = (await doctor(home)).filter((f) => f.check === 'backup work');
    expect(reported.map((f) => f.detail).sort()).toEqual([
      `${unnamed} (4096 bytes) was left by a killed backup or restore (left by an earlier run, older than 5 minutes)`,
      `${dead} (4096 bytes) was left by a killed backup or restore (pid 4194301 is gone)`,
    ]);
    const fixed = (await doctor(home, '--fix')).filter((f) => f.check === 'backup work');
    expect(fixed.every((f) => f.fixed)).toBe(true);
    expect(fixed).toHaveLength(2);
    expect(existsSync(dead) || existsSync(unnamed)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });
});

describe('data folders git does not ignore, and files others can read', () => {
  it('init git-ignores backups/; doctor finds a folder git would commit and files readable by others', async () => {
    const project = tempDir();
    expect(spawnSync('git', ['init', '-q', project]).status).toBe(0);
    const home = join(project, '.claude');
    const env = { CLAUDE_PROJECT_DIR: project };
    expect((await sat(['--home', home, 'init', '--no-hooks'], { cwd: project, env })).code).toBe(0);
    const ignored = spawnSync('git', ['-C', project, 'check-ignore', '-q', '.claude/backups/x.tar.gz']);
    expect(ignored.status).toBe(0);
    const gitignore = join(home, '.gitignore');
    writeFileSync(gitignore, readFileSync(gitignore, 'utf8').replace('/backups/\n', ''));
    const git = (await doctor(home)).find((f) => f.check === 'git-ignore' && f.status === 'warn');
    expect(git?.detail).toContain(`git does not ignore ${join(home, 'backups')}`);

    const file = join(home, 'handoffs', 'latest-s1.md');
    writeFileSync(file, '# handoff\n');
    chmodSync(file, 0o644);
    chmodSync(join(home, 'logs'), 0o755);
    const perms = (await doctor(home)).find((f) => f.check === 'permissions')!;
    expect(perms.status).toBe('warn');
    expect(perms.detail).toContain(file);
    await doctor(home, '--fix');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'logs')).mode & 0o777).toBe(0o700);
    expect((await doctor(home)).find((f) => f.check === 'permissions')?.status).toBe('ok');
  });
});
