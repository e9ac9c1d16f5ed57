import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // No static node: imports: the fetch wrapper runs on any runtime with
  // fetch; the undici interceptor reaches Node built-ins at call time.
  platform: 'neutral',
});
