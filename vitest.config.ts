import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = dirname(fileURLToPath(import.meta.url));

/** Every workspace package (from pnpm-workspace.yaml's folders) becomes one vitest project. */
function workspaceProjects() {
  const workspace = readFileSync(join(here, 'pnpm-workspace.yaml'), 'utf8');
  const folders = [...workspace.matchAll(/^\s+-\s+['"]?([\w-]+)\/\*['"]?\s*$/gm)].map((m) => m[1] as string);
  return folders.flatMap((folder) => {
    const base = join(here, folder);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .filter((name) => existsSync(join(base, name, 'package.json')))
      .map((name) => ({
        extends: true as const,
        test: {
          name,
          root: join(base, name),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      }));
  });
}

export default defineConfig({
  resolve: { conditions: ['sat-source', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['sat-source', 'node', 'import', 'default'] } },
  test: {
    projects: workspaceProjects(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: join(here, '.ci/out/vitest.json') },
  },
});
