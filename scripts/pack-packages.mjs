/**
 * Packs the packages a `sat` install needs (@sat/core, @sat/store-sqlite, @sat/cli) into
 * tarballs with `pnpm pack`, which rewrites `workspace:*` to the packages' versions, so plain
 * npm installs them. The packages must be built first (`pnpm build`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The workspace folders packed, dependencies first. */
export const PACKED_PACKAGES = ['core', 'store-sqlite', 'cli'];

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** pnpm as a command and its first arguments: the pnpm running this script, else `npx -y pnpm@10`. */
export function pnpmCommand() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the package manager running this script, not a turbo input
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ['npx', ['-y', 'pnpm@10']];
}

/**
 * Packs every package of {@link PACKED_PACKAGES} into `destination`; returns the tarballs' paths
 * in the same order.
 *
 * @example
 * packPackages('/tmp/sat-pack'); // ['/tmp/sat-pack/sat-core-0.1.0.tgz', ...]
 */
export function packPackages(destination) {
  const [command, prefix] = pnpmCommand();
  return PACKED_PACKAGES.map((name) => {
    const before = new Set(readdirSync(destination));
    execFileSync(command, [...prefix, 'pack', '--pack-destination', destination], {
      cwd: join(repo, 'packages', name),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const created = readdirSync(destination).filter((file) => file.endsWith('.tgz') && !before.has(file));
    if (created.length !== 1)
      throw new Error(`pnpm pack of packages/${name} made ${created.length} tarballs`);
    return join(destination, created[0]);
  });
}

// `node scripts/pack-packages.mjs <folder>`: packs into <folder> and prints the tarballs as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const destination = process.argv[2];
  if (!destination) throw new Error('usage: node scripts/pack-packages.mjs <destination folder>');
  console.log(JSON.stringify(packPackages(destination)));
}
