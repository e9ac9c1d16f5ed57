// Bundles a conformance entry with esbuild. @sigil/* resolve through their
// package.json exports, that is to the built dist/ files (never the
// sources); `external` leaves them to the runtime's own resolver instead.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Inside this package, so a runtime resolving @sigil/* itself finds them in its node_modules. */
export const OUT_DIR = fileURLToPath(new URL('../.out/', import.meta.url));

const vectors = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test-vectors/${name}`, import.meta.url), 'utf8'));

let define: Record<string, string> | undefined;

export interface Bundle {
  readonly file: string;
  /** The package files it inlines, relative to the repository (empty when @sigil/* stay external). */
  readonly inputs: readonly string[];
}

/**
 * Bundles src/<entry>.ts to .out/<name>.mjs for a platform: 'node' (Node,
 * Bun, Deno; @sigil/* external), 'browser' or 'workerd' (everything inlined).
 */
export async function bundle(entry: string, name: string, target: 'node' | 'browser' | 'workerd'): Promise<Bundle> {
  define ??= {
    SIGIL_VECTORS: JSON.stringify({
      v1Positive: vectors('v1-positive.json'),
      v1Negative: vectors('v1-negative.json'),
      rfcPositive: vectors('rfc9421-positive.json'),
      rfcNegative: vectors('rfc9421-negative.json'),
      webhooksPositive: vectors('webhooks-positive.json'),
      webhooksNegative: vectors('webhooks-negative.json'),
    }),
  };
  const file = `${OUT_DIR}${name}.mjs`;
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${entry}.ts`, import.meta.url))],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: target === 'node' ? 'node' : 'browser',
    ...(target === 'workerd' ? { conditions: ['workerd', 'worker'] } : {}),
    target: 'es2022',
    external: target === 'node' ? ['@sigil/*'] : [],
    define,
    metafile: true,
    logLevel: 'silent',
    // The repository's tsconfig paths point @sigil/* at sources; the bundle must take dist/.
    tsconfigRaw: {},
  });
  return { file, inputs: packageInputs(result.metafile) };
}

function packageInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((path) => /(^|\/)packages\/(core|fetch|verify)\//.test(path));
}
