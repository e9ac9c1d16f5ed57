import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapters/node': 'src/adapters/node/index.ts',
    'adapters/fetch': 'src/adapters/fetch/index.ts',
    'adapters/express': 'src/adapters/express/index.ts',
    'adapters/fastify': 'src/adapters/fastify/index.ts',
    'adapters/hono': 'src/adapters/hono/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
