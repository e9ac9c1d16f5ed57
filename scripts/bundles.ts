// The two programs Sigil's bundle-size targets are about, and how they are
// bundled: shared by `pnpm size` (scripts/size.ts) and the bundle-size test
// (tests/packaging/bundle-size.test.ts), so the report and CI measure the same
// thing. Both resolve the built packages (dist/, through package.json exports).
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** A signing client: createSigningFetch() with the default v1 scheme. */
export const CLIENT = `
import { importKey } from '@sigil/core';
import { createSigningFetch } from '@sigil/fetch';
export const signedFetch = createSigningFetch({
  keyId: 'client-1',
  secret: importKey(globalThis.SIGIL_SECRET, { encoding: 'base64url' }),
  origins: ['https://api.example.com'],
});`;

/** A Cloudflare-style Worker that verifies every request and answers JSON. */
export const WORKER = `
import { importKey } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilFetchHandler } from '@sigil/verify/fetch';
let handler;
export default {
  fetch(request, env) {
    handler ??= sigilFetchHandler(
      createVerifier({ keys: { 'client-1': importKey(env.CLIENT_SECRET, { encoding: 'base64url' }) }, nonceStore: new MemoryNonceStore() }),
      async (req, { keyId }) => Response.json({ keyId, body: await req.json() }),
    );
    return handler(request);
  },
};`;

/** What a bundle costs: minified bytes, gzipped bytes, zod's share, and the files it pulled in. */
export interface Bundled {
  readonly bytes: number;
  readonly gzip: number;
  readonly zod: number;
  /** Input paths (relative to the repository) with their bytes in the output. */
  readonly inputs: Readonly<Record<string, number>>;
  readonly code: string;
}

/**
 * esbuild, bundled and minified ESM. `browser` uses the conditions wrangler
 * and browser bundlers use (worker, browser); `neutral` and `node` are for
 * the per-package rows of the size report.
 */
export async function bundle(source: string, platform: 'neutral' | 'browser' | 'node'): Promise<Bundled> {
  const result = await build({
    stdin: { contents: source, resolveDir: REPO, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform,
    target: 'es2022',
    conditions: platform === 'browser' ? ['worker', 'browser'] : [],
    mainFields: platform === 'neutral' ? ['module', 'main'] : undefined,
    // Node built-ins a package may reach for behind a runtime check stay out.
    external: ['node:*', 'undici', 'express', 'fastify', 'hono', 'ioredis', 'redis'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.fromEntries(Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).map(([path, input]) => [path, input.bytesInOutput]));
  return { bytes: code.length, gzip: gzipSync(code).length, zod: zodBytes(result.metafile), inputs, code: result.outputFiles[0]!.text };
}

function zodBytes(meta: Metafile): number {
  const output = Object.values(meta.outputs)[0]!;
  return Object.entries(output.inputs).reduce((sum, [path, input]) => sum + (/node_modules\/(\.pnpm\/zod@[^/]+\/node_modules\/)?zod\//.test(path) ? input.bytesInOutput : 0), 0);
}

/** The targets of issue 15, minified bytes. */
export const TARGETS = { client: 40 * 1024, worker: 60 * 1024 } as const;

/**
 * The inputs of a bundle grouped as a reader thinks of them (a dependency by
 * package, Sigil by source file or dist chunk), largest first.
 */
export function largestInputs(bundled: Bundled, count: number): Array<readonly [string, number]> {
  const groups = new Map<string, number>();
  for (const [path, bytes] of Object.entries(bundled.inputs)) {
    const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = dep ? dep[1]! : path.replace(/^.*?packages\//, 'packages/');
    groups.set(name, (groups.get(name) ?? 0) + bytes);
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, count);
}
