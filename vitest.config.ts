import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Every workspace package (from pnpm-workspace.yaml's folders) becomes one vitest project; a
 * package's test/global-setup.ts, when it has one, runs once before that project's tests.
 */
function workspaceProjects() {
  const workspace = readFileSync(join(here, 'pnpm-workspace.yaml'), 'utf8');
  const folders = [...workspace.matchAll(/^\s+-\s+['"]?([\w-]+)\/\*['"]?\s*$/gm)].map((m) => m[1] as string);
  return folders.flatMap((folder) => {
    const base = join(here, folder);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .filter((name) => existsSync(join(base, name, 'package.json')))
      .map((name) => {
        const globalSetup = join(base, name, 'test', 'global-setup.ts');
        return {
          extends: true as const,
          test: {
            name,
            root: join(base, name),
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            ...(existsSync(globalSetup) ? { globalSetup } : {}),
          },
        };
      });
  });
}

export default defineConfig({
  resolve: { conditions: ['sat-source', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['sat-source', 'node', 'import', 'default'] } },
  test: {
    projects: workspaceProjects(),
    // Generous: on a busy machine a test that starts processes or servers can take a minute.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two workers on these 2-core machines: most tests wait on child processes and servers, not the CPU.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: join(here, '.ci/out/vitest.json') },
  },
});
