import { defineConfig } from 'tsup';

// A private Node program, not a library: ESM only, one file per process
// entry (the orchestrator and each kind of child process it spawns).
export default defineConfig({
  entry: {
    run: 'src/run.ts',
    worker: 'src/worker.ts',
    memory: 'src/memory/child.ts',
    profile: 'src/profile.ts',
    'e2e-server': 'src/e2e/server.ts',
    'e2e-load': 'src/e2e/load.ts',
    stores: 'src/stores/child.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // Sigil packages are measured from their own built dist, peers as installed.
  skipNodeModulesBundle: true,
  // The private helper package ships TypeScript source only: bundle it.
  noExternal: ['@sigil/store-contract'],
});
