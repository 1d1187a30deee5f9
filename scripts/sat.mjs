#!/usr/bin/env node
/**
 * `pnpm sat` in the checkout: runs the built CLI (packages/cli/dist/bin.js) in this process when
 * every workspace package's build is newer than its sources, else the sources through tsx (slow
 * to start, always current). `pnpm build` makes the next run fast again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(repo, 'packages');

/** The newest modification time (ms) of the files under `dir`, 0 when there are none. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Whether `dist/` of every package is at least as new as its `src/`, package.json and tsup config. */
function builtIsCurrent() {
  for (const name of readdirSync(packages)) {
    const dir = join(packages, name);
    if (!existsSync(join(dir, 'src'))) continue;
    const built = join(dir, 'dist', 'index.js');
    if (!existsSync(built)) return false;
    const inputs = ['package.json', 'tsup.config.ts']
      .map((file) => join(dir, file))
      .filter((file) => existsSync(file))
      .map((file) => statSync(file).mtimeMs);
    if (Math.max(newest(join(dir, 'src')), ...inputs) > statSync(built).mtimeMs) return false;
  }
  return existsSync(join(packages, 'cli', 'dist', 'bin.js'));
}

if (builtIsCurrent()) {
  await import(pathToFileURL(join(packages, 'cli', 'dist', 'bin.js')).href);
} else {
  if (process.stderr.isTTY)
    process.stderr.write(
      'sat: the sources are newer than the build; running them through tsx (slower; `pnpm build` to speed up)\n',
    );
  const run = spawnSync(
    process.execPath,
    [
      '--conditions=sat-source',
      '--import',
      import.meta.resolve('tsx'),
      join(packages, 'cli', 'src', 'bin.ts'),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  process.exitCode = run.status ?? 1;
}
