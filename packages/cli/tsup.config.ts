import { defineConfig } from 'tsup';

// ESM only: a command-line tool has no require() users. bin.js gets the
// shebang (tsup marks files that start with one executable); index.js is the
// programmatic entry (runCli), where a hashbang line is valid ESM too.
export default defineConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
