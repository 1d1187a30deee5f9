import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'projections/index': 'src/projections/index.ts',
    'testing/index': 'src/testing/index.ts',
    'fixtures/index': 'src/fixtures/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
});
