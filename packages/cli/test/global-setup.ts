import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

interface Manifest {
  name: string;
  exports: { '.': { import: string } };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** The folders of `dir`'s package and of every workspace package it depends on at run time. */
function workspaceClosure(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const { dependencies = {}, peerDependencies = {} } = manifest(dir);
  const local = Object.entries({ ...dependencies, ...peerDependencies })
    .filter(([, version]) => version.startsWith('workspace:'))
    .map(([name]) => realpathSync(join(dir, 'node_modules', name)));
  return [dir, ...local.flatMap((next) => workspaceClosure(next, seen))];
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** True when the package's built entry is missing or older than its sources or build settings. */
function isStale(dir: string): boolean {
  const entry = join(dir, manifest(dir).exports['.'].import);
  if (!existsSync(entry)) return true;
  const sources = ['src', 'ui', 'package.json', 'tsup.config.ts'].map((name) => newestMtime(join(dir, name)));
  return Math.max(...sources) > statSync(entry).mtimeMs;
}

/** Runs the package's tsup build, JavaScript only (the tests need no declarations). */
function build(dir: string): Promise<void> {
  const pkg = require.resolve('tsup/package.json');
  const bin = join(
    dirname(pkg),
    (JSON.parse(readFileSync(pkg, 'utf8')) as { bin: { tsup: string } }).bin.tsup,
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, '--no-dts', '--silent'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? done()
        : fail(new Error(`[cli tests] building ${dir} failed (exit ${code}): run 'pnpm build' to see why`)),
    );
  });
}

/**
 * Vitest global setup of the cli project: when this run includes tests that start the built `sat`
 * (`*.int.test.ts`), builds every package it loads whose dist is missing or older than its sources,
 * so a fresh clone's `pnpm test` needs no build step first.
 */
export default async function setup(project: TestProject): Promise<void> {
  // The run's file filters (`vitest run <filter>`); absent, every file of the project.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const { testFiles } = await project.globTestFiles(filters);
  if (!testFiles.some((file) => file.endsWith('.int.test.ts'))) return;
  const stale = workspaceClosure(CLI).filter(isStale);
  await Promise.all(stale.map(build));
}
