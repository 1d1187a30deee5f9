import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // Kysely ships ~260 ES modules; inlining the parts the store uses saves resolving and loading
  // them at every `sat` command that reads the store (its types stay a dependency).
  noExternal: ['kysely'],
});
