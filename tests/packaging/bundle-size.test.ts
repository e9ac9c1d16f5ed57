// What a user's bundler makes of the built packages: the typical signing
// client and the typical verifying Worker of scripts/bundles.ts, bundled by
// esbuild from dist/ (as `pnpm size` does), must stay within their budgets
// and must not pull in code no request needs. Needs the built packages (the
// root test script builds first); a bundle takes well under a second.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle, CLIENT, TARGETS, WORKER, type Bundled } from '../../scripts/bundles.js';

/**
 * Minified bytes each bundle may reach. Issue 15 sets the targets (TARGETS:
 * 40 KiB and 60 KiB); the bundles are not there yet (`pnpm size` lists their
 * largest parts: zod/mini, RFC 9421 signing in a v1 client, @noble/hashes),
 * so these budgets hold today's sizes with about 2% headroom, and are
 * lowered as the bundles shrink, down to TARGETS. The client is 93.8 KiB
 * since issue 14's response verification (`verifyResponses`, an option
 * checked at construction, so its code is in every signing client: 86.8
 * KiB with v1 responses, 93.8 KiB with RFC 9421 responses and the
 * Accept-Signature retry, which a scheme chosen at run time cannot
 * tree-shake away); the Worker 103.7 KiB since issue 14's server half
 * (`verifier.signResponse` and the Fetch handler's `signResponses` reach
 * v1 and RFC 9421 response signing, so that code is in every verifying
 * Worker; it was 91.4 KiB), about 1.8 KiB more since issue 16's
 * MemoryNonceStore hash table (the open-addressing table and its
 * tabulation hash), and 2.4 KiB more (105.6 to 108.0 KiB; the client
 * 0.2 KiB) since issue 16's second pass: compact 16-byte nonces in their
 * own slots beside the string table, and the parser's branded, frozen
 * params, worth 5-6% of typical verify throughput.
 */
const BUDGETS = { client: 96 * 1024, worker: 110 * 1024 } as const;

const bundles: Record<'client' | 'worker', Bundled> = {} as never;

beforeAll(async () => {
  for (const name of ['core', 'fetch', 'verify']) {
    if (!existsSync(fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)))) {
      throw new Error(`packages/${name}/dist is missing: run "npx -y pnpm@10 run build" first`);
    }
  }
  [bundles.client, bundles.worker] = await Promise.all([bundle(CLIENT, 'browser'), bundle(WORKER, 'browser')]);
});

const inputs = (b: Bundled) => Object.keys(b.inputs).filter((path) => b.inputs[path]! > 0);

describe.each(['client', 'worker'] as const)('the typical %s bundle', (name) => {
  it(`stays within its budget (and the budget within issue 15's target once met)`, () => {
    expect(BUDGETS[name]).toBeGreaterThanOrEqual(TARGETS[name]);
    expect(bundles[name].bytes).toBeLessThanOrEqual(BUDGETS[name]);
  });

  it('uses zod/mini: no zod classic, no zod locale', () => {
    const zod = inputs(bundles[name]).filter((path) => /\/zod\//.test(path));
    expect(zod.length).toBeGreaterThan(0);
    expect(zod.filter((path) => /\/zod\/v4\/(classic|locales)\//.test(path))).toEqual([]);
  });

  it('carries no test-vector schema and no JSON Schema generator', () => {
    expect(inputs(bundles[name]).filter((path) => /json-schema|to-json-schema|\/vectors\.(ts|js)$/.test(path))).toEqual([]);
    // Descriptions that exist only in the vector schemas.
    expect(bundles[name].code).not.toMatch(/LF-separated|draft-2020-12|Field lines in order/);
  });
});
