import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', vectors: 'src/vectors.ts', 'rfc9421/index': 'src/rfc9421/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'neutral',
});
