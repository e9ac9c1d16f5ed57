import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import the packages by name and run against their sources, so a test
// run never depends on a stale dist/. (The CLI tests spawn the built binary.)
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sigil\/core\/vectors$/, replacement: src('core/src/vectors.ts') },
      { find: /^@sigil\/core\/rfc9421$/, replacement: src('core/src/rfc9421/index.ts') },
      { find: /^@sigil\/core\/webhooks$/, replacement: src('core/src/webhooks/index.ts') },
      { find: /^@sigil\/core\/options$/, replacement: src('core/src/options/index.ts') },
      { find: /^@sigil\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@sigil\/fetch$/, replacement: src('fetch/src/index.ts') },
      { find: /^@sigil\/verify\/store$/, replacement: src('verify/src/store/index.ts') },
      { find: /^@sigil\/verify\/(node|fetch|express|fastify|hono)$/, replacement: src('verify/src/adapters/$1/index.ts') },
      { find: /^@sigil\/verify$/, replacement: src('verify/src/index.ts') },
      { find: /^@sigil\/redis$/, replacement: src('redis/src/index.ts') },
      { find: /^@sigil\/postgres$/, replacement: src('postgres/src/index.ts') },
      { find: /^@sigil\/store-contract$/, replacement: src('store-contract/src/index.ts') },
      { find: /^@sigil\/webhooks$/, replacement: src('webhooks/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test-vectors/**/*.test.ts', 'examples/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: one on this 2-core
    // machine, which left it idle while a file waited on sockets, clusters,
    // browsers and Python (363 s against 170 s with two, measured).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
