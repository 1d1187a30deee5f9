/**
 * `pnpm run install:global`: builds the workspace, packs @sat/core, @sat/store-sqlite and @sat/cli
 * and installs the tarballs with `npm i -g`, so `sat` runs from any folder as built JavaScript,
 * independent of this checkout (which can then be moved or deleted). Extra arguments go to npm
 * (e.g. `-- --prefix ~/.local`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPackages, pnpmCommand } from './pack-packages.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const [pnpm, prefix] = pnpmCommand();
execFileSync(pnpm, [...prefix, 'run', 'build'], {
  cwd: repo,
  stdio: 'inherit',
  env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
});
const destination = mkdtempSync(join(tmpdir(), 'sat-pack-'));
try {
  const tarballs = packPackages(destination);
  execFileSync('npm', ['install', '--global', ...process.argv.slice(2), ...tarballs], { stdio: 'inherit' });
  console.log(
    "\nsat is installed: run 'sat quickstart' to try it, 'sat init' in a project to capture its sessions.",
  );
} finally {
  rmSync(destination, { recursive: true, force: true });
}
