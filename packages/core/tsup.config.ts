import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'projections/index': 'src/projections/index.ts',
    'testing/index': 'src/testing/index.ts',
    'fixtures/index': 'src/fixtures/index.ts',
    // `sat statusline` reads the per-session summary file through this entry alone.
    'summary-file/index': 'src/pipeline/session-summary-reader.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // TypeBox and diff ship hundreds of small ES modules; inlining the parts core uses keeps
  // `sat` from resolving and loading ~240 files at every start (their types stay dependencies).
  noExternal: ['@sinclair/typebox', 'diff'],
});
