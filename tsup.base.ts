// The build every published @sigil package shares: dual ESM/CJS with
// declarations for both, Node 20 syntax. Packages pass their entries and,
// where they differ, the platform.
import type { Options } from 'tsup';

export function libraryBuild(entry: Options['entry'], platform: 'neutral' | 'node' = 'neutral'): Options {
  return { entry, format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, target: 'node20', platform };
}
