// The runtime matrix: the conformance script (src/conformance.ts), bundled
// from the BUILT packages, under every runtime Sigil supports. Each runtime
// is one test; a runtime that is not installed skips loudly, and fails under
// CI=true (.ci/run installs them all: `pnpm install` and Debian's chromium).
import { describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { RUNTIMES } from './runtimes.js';

const CI = process.env.CI === 'true';

const missing = RUNTIMES.filter((r) => r.binary === undefined);
if (missing.length > 0 && !CI) {
  console.warn(
    ['', '='.repeat(78), '  runtime matrix: SKIPPING runtimes that are not installed:', ...missing.map((r) => `    ${r.name}: ${r.install}`), '='.repeat(78), ''].join('\n'),
  );
}

describe('runtime matrix: built packages', () => {
  it.each([['worker', 'workerd'], ['browser', 'browser']] as const)('the %s bundle inlines the built packages (dist/), never the sources', async (entry, target) => {
    const { inputs } = await bundle(entry, entry, target);
    expect(inputs.some((path) => path.includes('packages/core/dist/'))).toBe(true);
    expect(inputs.filter((path) => !/\/dist\//.test(path))).toEqual([]);
  });
});

describe('runtime matrix: the conformance script on every runtime', () => {
  for (const runtime of RUNTIMES) {
    const test = runtime.binary === undefined && !CI ? it.skip : it;
    test(`${runtime.name}`, { timeout: 60_000 }, async () => {
      if (runtime.binary === undefined) throw new Error(`${runtime.name} is required under CI=true and is not installed: ${runtime.install}`);
      const reports = await runtime.conform(runtime.binary);
      const checks = reports.flatMap((r) => r.checks);
      expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
      expect(reports.map((r) => r.backend)).toEqual(reports.map(() => runtime.backend));
      // The vectors, the in-process round trip and the real server all ran.
      for (const name of [/^v1 vectors through core$/, ...(runtime.name.startsWith('workerd') || runtime.name.includes('Chromium') ? [] : [/^@sigil\/\* resolve to the built dist\/$/]), /^v1 vectors through createVerifier$/, /^RFC 9421 vectors through core$/, /^RFC 9421 vectors through createVerifier$/, /^webhook vectors through createWebhookVerifier$/, /^in-process Fetch handler: /, runtime.serverChecks]) {
        expect(checks.some((c) => name.test(c.name)), `no check matching ${name}`).toBe(true);
      }
      console.log(`${runtime.name}: ${reports[0]!.runtime}, ${reports[0]!.backend} backend, ${checks.length} checks passed`);
    });
  }
});
