// Entry for the browser: the page served by page-server.ts loads this
// bundle; the harness calls window.sigilConformance(apiOrigin). Besides
// runConformance(), the page signs requests to its own origin (node:http),
// follows a redirect the browser hides, and calls a second origin with
// CORS in front of Sigil.
import { isSigilError } from '@sigil/core';
import { createSigningFetch } from '@sigil/fetch';
import { Checks, expectEqual, KEY_ID, SECRET, roundTrip, runConformance, type Report } from './conformance.js';

async function redirects(checks: Checks, origin: string): Promise<void> {
  const signing = createSigningFetch({ keyId: KEY_ID, secret: SECRET, secretEncoding: 'base64url', origins: [origin] });
  await checks.run('a redirect the browser hides (opaqueredirect) is refused with redirect_opaque', async () => {
    try {
      await signing(`${origin}/redirect`, { method: 'POST', body: 'x' });
    } catch (error) {
      expectEqual('code', isSigilError(error) ? error.code : String(error), 'redirect_opaque');
      return;
    }
    throw new Error('the redirect was not refused');
  });
  await checks.run('with redirect: "manual" the opaque redirect is returned as fetch returns it', async () => {
    const res = await signing(`${origin}/redirect`, { method: 'POST', body: 'x', redirect: 'manual' });
    expectEqual('type', res.type, 'opaqueredirect');
    expectEqual('status', res.status, 0);
  });
}

/**
 * A client whose clock is an hour behind, counting the attempts it sends.
 * An hour is past the default bound on a learned correction
 * (maxClockSkewSeconds, 300), so the client allows two.
 */
function skewedClient(api: string, attempts: { count: number }) {
  return createSigningFetch({
    keyId: KEY_ID,
    secret: SECRET,
    secretEncoding: 'base64url',
    origins: [api],
    clock: () => Date.now() - 3_600_000,
    maxClockSkewSeconds: 7_200,
    fetch: (url: string, init: RequestInit) => (attempts.count++, fetch(url, init)),
  });
}

async function cors(checks: Checks, api: string, hidden: string): Promise<void> {
  await roundTrip(checks, `a cross-origin API (${api}, CORS before Sigil)`, api, (url, init) => fetch(url, init));
  await checks.run('cross-origin: a skewed clock is corrected through the exposed Sigil-Server-Time', async () => {
    const attempts = { count: 0 };
    const res = await skewedClient(api, attempts)(`${api}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expectEqual('status', res.status, 200);
    expectEqual('attempts', attempts.count, 2);
  });
  await checks.run('cross-origin: without Access-Control-Expose-Headers the client cannot see Sigil-Server-Time', async () => {
    const attempts = { count: 0 };
    const res = await skewedClient(hidden, attempts)(`${hidden}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expectEqual('status', res.status, 401);
    expectEqual('code', ((await res.json()) as { error?: string }).error, 'timestamp_out_of_window');
    expectEqual('attempts', attempts.count, 1);
  });
}

declare global {
  interface Window {
    sigilConformance(api: string, hidden: string): Promise<Report>;
  }
}

window.sigilConformance = (api, hidden) =>
  runConformance(`chromium ${/Chrome\/([\d.]+)/.exec(navigator.userAgent)?.[1] ?? navigator.userAgent}`, async (checks) => {
    await roundTrip(checks, "the page's origin (node:http)", location.origin, (url, init) => fetch(url, init));
    await redirects(checks, location.origin);
    await cors(checks, api, hidden);
  });
