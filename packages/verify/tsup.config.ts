import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

const adapters = ['node', 'fetch', 'express', 'fastify', 'hono'] as const;

export default defineConfig(
  libraryBuild(
    { index: 'src/index.ts', store: 'src/store/index.ts', ...Object.fromEntries(adapters.map((name) => [`adapters/${name}`, `src/adapters/${name}/index.ts`])) },
    'node',
  ),
);
