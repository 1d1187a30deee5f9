import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/registry.js';
import { REPO, sat, tempDir } from './helpers.js';

describe('sat --help and --version', () => {
  it('every command has help; --version prints the version', async () => {
    const top = await sat(['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toContain(command.name);
    const results = await Promise.all(COMMANDS.map((command) => sat([command.name, '--help'])));
    results.forEach((result, i) => {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: sat ${COMMANDS[i]!.name}`);
    });
    const version = await sat(['--version']);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')).version,
    );
  });

  it('exits 1 (never 2) with a one-line reason on a user error', async () => {
    for (const args of [['nonsense'], ['events'], ['log', 'bogus'], ['gc', '--keep', 'x']]) {
      const result = await sat(args, { home: tempDir() });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().length).toBeGreaterThan(0);
    }
    const bad = await sat(['log', 'tool_usage', '--tool', 'Bash', '--duration-ms', 'fast'], {
      home: tempDir(),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('data.duration_ms expected number, got "fast"');
    expect(bad.stderr).toContain('data.success is required');
  });
});

describe('sat init', () => {
  it('creates the folders and git-ignore entries, and running it again changes nothing', async () => {
    const home = tempDir();
    writeFileSync(join(home, '.gitignore'), 'my-own-entry\n');
    const first = await sat(['init', '--json'], { home });
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.created).toHaveLength(5);
    for (const name of ['logs', 'state', 'analytics', 'handoffs', 'credentials'])
      expect(existsSync(join(home, name))).toBe(true);
    expect(statSync(join(home, 'credentials')).mode & 0o777).toBe(0o700);
    const ignore = readFileSync(join(home, '.gitignore'), 'utf8');
    expect(ignore).toContain('my-own-entry');
    expect(ignore).toContain('/credentials/');
    expect(ignore).toContain('/logs/');
    const second = JSON.parse((await sat(['init', '--json'], { home })).stdout);
    expect(second.created).toEqual([]);
    expect(second.gitignoreChanged).toBe(false);
    expect(readFileSync(join(home, '.gitignore'), 'utf8')).toBe(ignore);
  });
});

describe('sat log, sessions, events', () => {
  it('appends from flags, --json and stdin to the active session and shows them', async () => {
    const home = tempDir();
    const a = await sat(
      [
        'log',
        'decision',
        '--question',
        'Which DB?',
        '--selected',
        'SQLite',
        '--options',
        'SQLite',
        '--options',
        'Postgres',
      ],
      { home },
    );
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.stderr).toContain('started session');
    const b = await sat(
      [
        'log',
        'tool-usage',
        '--tool',
        'Bash',
        '--parameters.command',
        'pnpm test',
        '--duration-ms',
        '5400',
        '--success',
        'true',
      ],
      { home },
    );
    expect(b.code, b.stderr).toBe(0);
    const c = await sat(['log', 'error', '--agent', 'reviewer'], {
      home,
      input: '{"error_type":"TestFailure","message":"2 failed"}',
    });
    expect(c.code, c.stderr).toBe(0);
    const d = await sat(
      [
        'log',
        'validation',
        '--json',
        '{"task":"tests","checks":[{"name":"unit","passed":true}],"result":"pass"}',
        '--parent',
        a.stdout.trim(),
      ],
      { home },
    );
    expect(d.code, d.stderr).toBe(0);

    const sessions = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'active', events: 5 });
    const session = sessions[0].session as string;

    const jsonl = (await sat(['events', session.slice(0, 13), '--json'], { home })).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((e) => e.type)).toEqual([
      'session_start',
      'decision',
      'tool_usage',
      'error',
      'validation',
    ]);
    expect(jsonl[1].data).toEqual({
      question: 'Which DB?',
      selected: 'SQLite',
      options: ['SQLite', 'Postgres'],
    });
    expect(jsonl[2].data).toEqual({
      tool: 'Bash',
      parameters: { command: 'pnpm test' },
      duration_ms: 5400,
      success: true,
    });
    expect(jsonl[3]).toMatchObject({ agent: 'reviewer', data: { error_type: 'TestFailure' } });
    expect(jsonl[4].parent).toBe(a.stdout.trim());

    const readable = await sat(['events', 'active'], { home });
    expect(readable.stdout).toContain('Which DB? -> SQLite');
    expect(readable.stdout).toContain('Bash ok 5400ms');
    const plain = await sat(['sessions'], { home });
    expect(plain.stdout.split('\n')[0]).toBe(
      'SESSION\tOWNER\tSTARTED\tENDED\tEVENTS\tTOKENS\tCOST\tSIZE\tBACKED UP',
    );
    // No API responses in a hand-logged session: no tokens, no cost.
    expect(plain.stdout.split('\n')[1]).toMatch(/\t5\t-\t-\t/);

    const end = await sat(['log', 'session_end', '--reason', 'done'], { home });
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toContain('closed session');
    const closed = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    expect(closed[0]).toMatchObject({ status: 'closed', events: 6 });
    expect((await sat(['events', session], { home })).stdout).toContain('session_end');
  });
});

describe('sat doctor', () => {
  it('reports a healthy install, then each problem with its fix', async () => {
    const home = tempDir();
    await sat(['init'], { home });
    const healthy = await sat(['doctor'], { home });
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain('no errors');

    await sat(['log', 'decision', '--question', 'q', '--selected', 'a'], { home });
    const [session] = JSON.parse((await sat(['sessions', '--json'], { home })).stdout);
    writeFileSync(session.file, `${readFileSync(session.file, 'utf8')}{"broken": \n`);
    const { chmodSync, rmSync } = await import('node:fs');
    chmodSync(join(home, 'credentials'), 0o755);
    rmSync(join(home, 'handoffs'), { recursive: true });
    const sick = await sat(['doctor'], { home });
    expect(sick.code).toBe(1);
    expect(sick.stdout).toMatch(/ERROR\s+folder handoffs: .* does not exist\n\s+fix: run 'sat init'/);
    expect(sick.stdout).toMatch(/WARN\s+folder credentials: .* can be read by other users/);
    expect(sick.stdout).toMatch(
      /1 unreadable line\(s\) set aside in .*quarantine.*byte \d+ \(line 3\): corrupt-line/,
    );

    const fixed = await sat(['doctor', '--fix'], { home });
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(statSync(join(home, 'credentials')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(home, 'handoffs'))).toBe(true);
  });

  it('explains a bad config file', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'sat.config.json'), '{"retention":{"keepSessions":"two"}}');
    const result = await sat(['doctor'], { home });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('retention.keepSessions expected integer, got "two"');
    const other = await sat(['sessions'], { home });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('sat.config.json');
  });
});

describe('sat gc', () => {
  it('lists with --dry-run and removes only backed-up old sessions', async () => {
    const home = tempDir();
    for (let i = 0; i < 3; i++) {
      await sat(['log', 'session_start'], { home });
      await sat(['log', 'session_end'], { home });
    }
    const sessions = JSON.parse((await sat(['sessions', '--json'], { home })).stdout) as Array<{
      session: string;
      file: string;
    }>;
    expect(sessions).toHaveLength(3);
    writeFileSync(join(home, 'logs', `${sessions[0]!.session}.backup.json`), '{"target":"local"}');
    const dry = await sat(['gc', '--dry-run', '--keep', '1'], { home });
    expect(dry.stdout).toMatch(new RegExp(`${sessions[0]!.session}\\s+would remove`));
    expect(dry.stdout).toMatch(new RegExp(`${sessions[1]!.session}\\s+kept\\s+.*not backed up`));
    expect(existsSync(sessions[0]!.file)).toBe(true);
    const real = JSON.parse((await sat(['gc', '--keep', '1', '--json'], { home })).stdout);
    expect(real.removed).toEqual([sessions[0]!.session]);
    expect(existsSync(sessions[0]!.file)).toBe(false);
  });
});
