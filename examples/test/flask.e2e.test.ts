// The Flask integration end to end: a real Flask app (Debian's python3-flask)
// on 127.0.0.1, driven by the TypeScript signing fetch. Without Flask the
// suite is skipped with a loud warning, except under CI=true, where it fails.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exportKey, generateKey, signRequest } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, startPythonApp } from './helpers/python-app.js';

const REFERENCE = fileURLToPath(new URL('../../test-vectors/reference/python/', import.meta.url));
const APP = `${REFERENCE}examples/flask_app.py`;
const hasFlask = spawnSync(PYTHON, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0;
if (!hasFlask) {
  if (process.env.CI === 'true') throw new Error(`Flask is required in CI: ${PYTHON} -c 'import flask' failed (apt-get install python3-flask)`);
  console.warn(
    `\n${'!'.repeat(72)}\n!! SKIPPING the Flask end-to-end test: ${PYTHON} cannot import flask.\n` +
      `!! Install it with: apt-get install python3-flask   (CI installs it and never skips)\n${'!'.repeat(72)}\n`,
  );
}

const KEY_ID = 'flask-client';
const key = generateKey();
const ORDER = JSON.stringify({ item: 'book', qty: 1 });
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER };
let app: ChildProcess | undefined;
let origin = '';

async function startApp(): Promise<string> {
  const started = await startPythonApp(APP, { SIGIL_KEY_ID: KEY_ID, SIGIL_SECRET: exportKey(key) });
  app = started.child;
  return `http://127.0.0.1:${started.port}`;
}

/** A signing fetch whose transport can see (and change) each signed request. */
function signer(tap: (url: string, init: { body?: Uint8Array }) => void = () => {}, clock?: () => number) {
  let attempts = 0;
  const fetchLike: FetchLike = (url: string, init: RequestInit & { body?: Uint8Array }) => {
    attempts++;
    tap(url, init);
    return fetch(url, init);
  };
  const signedFetch = createSigningFetch({ keyId: KEY_ID, secret: key, origins: [origin], fetch: fetchLike, ...(clock ? { clock, maxClockSkewSeconds: 900 } : {}) });
  return { signedFetch, attempts: () => attempts };
}

describe.skipIf(!hasFlask)('Flask (sigil.flask) verifies what @sigil/fetch signs', () => {
  beforeAll(async () => {
    origin = await startApp();
  });
  afterAll(() => {
    app?.kill();
  });

  it('accepts a valid signed POST, path and percent-encoded query as sent', async () => {
    const { signedFetch } = signer();
    const response = await signedFetch(`${origin}/strict/orders?note=caf%C3%A9&tag=a&tag=b`, JSON_POST);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ keyId: KEY_ID, order: { item: 'book', qty: 1 }, target: '/orders?note=caf%C3%A9&tag=a&tag=b' });
  });

  it('rejects the same request replayed: nonce_replayed', async () => {
    const sent: Array<[string, RequestInit]> = [];
    const { signedFetch } = signer((url, init) => sent.push([url, init as RequestInit]));
    expect((await signedFetch(`${origin}/orders`, JSON_POST)).status).toBe(201);
    const replay = await fetch(...sent[0]!);
    expect([replay.status, await replay.json()]).toEqual([401, { error: 'nonce_replayed' }]);
  });

  it('rejects a body changed after signing: signature_invalid', async () => {
    const { signedFetch } = signer((_url, init) => {
      init.body = new TextEncoder().encode(ORDER.replace('"qty":1', '"qty":9'));
    });
    const response = await signedFetch(`${origin}/orders`, JSON_POST);
    expect([response.status, await response.json()]).toEqual([401, { error: 'signature_invalid' }]);
  });

  it('rejects a stale timestamp with Sigil-Server-Time, which lets the fetch correct a slow clock', async () => {
    const url = new URL(`${origin}/orders`);
    const body = new TextEncoder().encode(ORDER);
    const { header } = signRequest(
      { method: 'POST', target: url.pathname, headers: [['host', url.host], ['content-type', 'application/json']], body },
      key,
      { keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000) - 600, headers: ['content-type'] },
    );
    const stale = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'sigil-signature': header }, body });
    expect([stale.status, await stale.json()]).toEqual([401, { error: 'timestamp_out_of_window' }]);
    expect(Math.abs(Number(stale.headers.get('sigil-server-time')) - Date.now() / 1000)).toBeLessThan(5);

    const slow = signer(undefined, () => Date.now() - 600_000);
    expect((await slow.signedFetch(url, JSON_POST)).status).toBe(201);
    expect(slow.attempts()).toBe(2);
  });

  it('answers an unknown key as signature_invalid, an unsigned request as signature_missing, a missing content-type signature as header_not_signed', async () => {
    const stranger = createSigningFetch({ keyId: 'stranger', secret: key, origins: [origin] });
    expect(await (await stranger(`${origin}/orders`, JSON_POST)).json()).toEqual({ error: 'signature_invalid' });
    const unsigned = await fetch(`${origin}/orders`, JSON_POST);
    expect([await unsigned.json(), unsigned.headers.get('www-authenticate')]).toEqual([{ error: 'signature_missing' }, 'Sigil']);
    const { signedFetch } = signer();
    const bare = await signedFetch(`${origin}/strict/orders`, { method: 'POST', body: new TextEncoder().encode(ORDER) });
    expect([bare.status, await bare.json()]).toEqual([401, { error: 'header_not_signed' }]);
  });
  describe('signed responses (sign_responses=True) verified by the signing fetch (verifyResponses)', () => {
    const verifying = (clock?: () => number) =>
      createSigningFetch({ keyId: KEY_ID, secret: key, origins: [origin], verifyResponses: true, ...(clock ? { clock, maxClockSkewSeconds: 900 } : {}) });

    it("verifies Flask's signature over the answer, bound to the request it sent", async () => {
      const response = await verifying()(`${origin}/signed/orders`, JSON_POST);
      expect([response.status, await response.json()]).toEqual([201, { keyId: KEY_ID, order: { item: 'book', qty: 1 } }]);
    });

    it("a clock 10 minutes slow is corrected from Flask's signed 401, then the retry's signed answer verifies", async () => {
      const events: string[] = [];
      const slow = createSigningFetch({
        keyId: KEY_ID, secret: key, origins: [origin], verifyResponses: true, clock: () => Date.now() - 600_000, maxClockSkewSeconds: 900,
        onEvent: (e) => events.push(e.type),
      });
      expect((await slow(`${origin}/signed/orders`, JSON_POST)).status).toBe(201);
      expect(events.filter((t) => t === 'response-verified')).toHaveLength(2);
    });

    it('refuses an unsigned answer from the route that does not sign: response_signature_missing', async () => {
      await expect(verifying()(`${origin}/orders`, JSON_POST)).rejects.toMatchObject({ code: 'response_signature_missing' });
    });
  });
});
