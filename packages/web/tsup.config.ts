import { defineConfig } from 'tsup';
import { buildUi } from './ui/build-ui.js';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // The page's bundle (dist/ui), after the server's, since `clean` empties dist first.
  onSuccess: async () => {
    await buildUi();
  },
});
