import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const cliVersion = (
  JSON.parse(readFileSync(join(repo, 'packages', 'cli', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The files of a tarball, without npm's `package/` prefix. */
function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^package\//, ''));
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
) {
  const result = spawnSync(command, args, { timeout: 120_000, ...options, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * A folder of prebuilt better-sqlite3 binaries, as a company's binary mirror would serve them:
 * the workspace's own build, packed under the name prebuild-install looks for. Without it npm
 * compiles better-sqlite3 from source (about two minutes here, where GitHub cannot be reached); a
 * newer version than the workspace's still compiles. Undefined when the workspace has no build.
 */
function localPrebuilds(tmp: string): string | undefined {
  const pkg = join(repo, 'packages', 'store-sqlite', 'node_modules', 'better-sqlite3');
  if (!existsSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'))) return undefined;
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const dir = join(tmp, 'prebuilds');
  mkdirSync(dir);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['-czf', join(dir, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
  return dir;
}

/** A long step (build, pack, npm install) without blocking vitest's worker, which must keep answering. */
async function runLong(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const { stdout } = await promisify(execFile)(command, args, {
    ...options,
    encoding: 'utf8',
    timeout: 1_500_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

describe('sat installed from its tarballs with plain npm', () => {
  it('runs from any folder, and sat init installs hooks that do not point into the repository', async (ctx) => {
    if (spawnSync('npm', ['--version']).status !== 0) ctx.skip('npm is not on the PATH');
    const tmp = mkdtempSync(join(tmpdir(), 'sat-install-'));
    try {
      // The three packages that are packed (the cloud packages are optional and not installed).
      for (const pkg of ['@sat/core', '@sat/store-sqlite', '@sat/cli'])
        await runLong('npx', ['-y', 'pnpm@10', '--filter', pkg, 'run', 'build'], {
          cwd: repo,
          env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
        });
      const packDir = join(tmp, 'pack');
      mkdirSync(packDir);
      const tarballs = JSON.parse(
        run(process.execPath, [join(repo, 'scripts', 'pack-packages.mjs'), packDir], {
          cwd: repo,
          env: process.env,
        }),
      ) as string[];
      expect(tarballs.map((t) => t.slice(packDir.length + 1))).toEqual([
        expect.stringMatching(/^sat-core-.*\.tgz$/),
        expect.stringMatching(/^sat-store-sqlite-.*\.tgz$/),
        expect.stringMatching(/^sat-cli-.*\.tgz$/),
      ]);
      for (const tarball of tarballs) {
        const files = tarballFiles(tarball);
        expect(files).toContain('dist/index.js');
        expect(files.filter((f) => /(^|\/)test\/|\.test\.ts$/.test(f))).toEqual([]);
        const manifest = JSON.parse(
          execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
        ) as Record<string, Record<string, string> | undefined>;
        for (const deps of [manifest.dependencies, manifest.peerDependencies])
          for (const spec of Object.values(deps ?? {})) expect(spec).not.toMatch(/^workspace:/);
      }
      const cliFiles = tarballFiles(tarballs[2]!);
      expect(cliFiles).toContain('dist/bin.js');
      expect(
        cliFiles.some((f) => f.startsWith('fixtures/claude-code/spotter/') && f.endsWith('.jsonl')),
      ).toBe(true);
      expect(cliFiles).not.toContain('fixtures/claude-code/EXPECTED.json');

      // npm as a user runs it (its usual cache; no log files left behind).
      const prefix = join(tmp, 'prefix');
      // better-sqlite3's prebuilt binary comes from a local mirror (prebuild-install's
      // npm_config_better_sqlite3_local_prebuilds); it compiles from source when that has no match.
      const prebuilds = localPrebuilds(tmp);
      await runLong(
        'npm',
        ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', ...tarballs],
        {
          cwd: tmp,
          env: {
            ...process.env,
            npm_config_logs_max: '0',
            ...(prebuilds ? { npm_config_better_sqlite3_local_prebuilds: prebuilds } : {}),
          },
        },
      );

      const bin = join(prefix, 'bin', 'sat');
      const project = join(tmp, 'project');
      mkdirSync(project);
      execFileSync('git', ['init', '-q', project]);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
        HOME: join(tmp, 'home'),
        CLAUDE_CONFIG_DIR: join(tmp, 'claude'),
        CLAUDE_PROJECT_DIR: project,
        SAT_HOME: '',
        SAT_CONFIG: '',
      };
      expect(run(bin, ['--version'], { cwd: project, env }).trim()).toBe(cliVersion);
      expect(run(bin, ['quickstart', '--sample'], { cwd: project, env })).toContain('resume with');
      run(bin, ['init'], { cwd: project, env });

      const settings = readFileSync(join(project, '.claude', 'settings.json'), 'utf8');
      const script = readFileSync(join(project, '.claude', 'sat', 'capture.sh'), 'utf8');
      expect(settings).toContain('capture.sh');
      expect(script).toContain(bin);
      for (const text of [settings, script]) expect(text).not.toContain(repo.replace(/\/$/, ''));

      // The installed hooks work on their own: payloads are captured, and Stop ingests them in the background.
      const spool = join(project, '.claude', 'logs', 'spool');
      const session = '5f3c1d2e-0000-4000-8000-00000000abcd';
      for (const [event, extra] of [
        ['SessionStart', { source: 'startup' }],
        ['Stop', {}],
      ] as const) {
        const payload = {
          session_id: session,
          transcript_path: '/x',
          cwd: project,
          hook_event_name: event,
          ...extra,
        };
        run('sh', [join(project, '.claude', 'sat', 'capture.sh'), event], {
          cwd: project,
          env,
          input: JSON.stringify(payload),
        });
      }
      const log = join(project, '.claude', 'logs', `${session}.jsonl`);
      const pending = () => readdirSync(spool).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
      for (let i = 0; i < 300 && (!existsSync(log) || pending().length > 0); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(pending()).toEqual([]);
      expect(readFileSync(log, 'utf8')).toContain('session_start');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 1_800_000);
});
