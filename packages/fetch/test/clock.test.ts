import { importKey } from '@sigil/core';
import { createSigningFetch } from '@sigil/fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type Route, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
const TOLERANCE = 60;

/** A verifier whose clock is `skew` seconds ahead of ours, answering as @sigil/verify does. */
function skewedVerifier(skew: () => number, body = (code: string) => JSON.stringify({ error: code })): Route {
  return (seen, res) => {
    const serverNow = Math.floor(Date.now() / 1000) + skew();
    if (!seen.verified?.ok) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(body('signature_invalid'));
    }
    if (Math.abs(serverNow - seen.params!.timestamp) > TOLERANCE) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'sigil-server-time': String(serverNow) });
      return res.end(body('timestamp_out_of_window'));
    }
    res.writeHead(200);
    res.end('ok');
  };
}

let ahead: TestServer;
let exact: TestServer;
let skew = 200;

beforeAll(async () => {
  [ahead, exact] = await Promise.all([startServer(key), startServer(key)]);
  ahead.route = skewedVerifier(() => skew);
  exact.route = skewedVerifier(() => 0);
});
afterAll(() => Promise.all([ahead.close(), exact.close()]));
beforeEach(() => {
  skew = 200;
  ahead.seen.length = 0;
  exact.seen.length = 0;
});

describe('clock skew', () => {
  it('learns the server time from a timestamp rejection and retries once with a fresh nonce', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    const res = await signedFetch(`${ahead.origin}/x`, { method: 'POST', body: 'once' });
    expect(res.status).toBe(200);
    const [first, second] = ahead.seen;
    expect(second!.params!.timestamp - first!.params!.timestamp).toBeGreaterThanOrEqual(199);
    expect(second!.params!.nonce).not.toBe(first!.params!.nonce);
    expect(Buffer.from(second!.body).toString()).toBe('once');
    expect(second!.verified?.ok).toBe(true);
  });

  it('keeps the offset per origin', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    await signedFetch(`${ahead.origin}/learn`);
    ahead.seen.length = 0;
    expect((await signedFetch(`${ahead.origin}/again`)).status).toBe(200);
    expect(ahead.seen).toHaveLength(1);
    // Another origin is not affected by what the first one said.
    expect((await signedFetch(`${exact.origin}/other`)).status).toBe(200);
    expect(exact.seen).toHaveLength(1);
    expect(Math.abs(exact.seen[0]!.params!.timestamp - Math.floor(Date.now() / 1000))).toBeLessThan(5);
  });

  it('uses the injected clock', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, clock: () => Date.now() + 200_000, origins: '*' });
    expect((await signedFetch(`${ahead.origin}/clocked`)).status).toBe(200);
    expect(ahead.seen).toHaveLength(1);
  });

  it('retries only once', async () => {
    let n = 0;
    skew = 0;
    ahead.route = skewedVerifier(() => (n++ === 0 ? 200 : -200));
    try {
      const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
      const res = await signedFetch(`${ahead.origin}/moving`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'timestamp_out_of_window' });
      expect(ahead.seen).toHaveLength(2);
    } finally {
      ahead.route = skewedVerifier(() => skew);
    }
  });

  it('does not retry a 401 whose body names another code, nor one without Sigil-Server-Time', async () => {
    ahead.route = (_seen, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'sigil-server-time': '1' });
      res.end(JSON.stringify({ error: 'nonce_replayed' }));
    };
    exact.route = (_seen, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'timestamp_out_of_window' }));
    };
    try {
      const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
      expect((await signedFetch(`${ahead.origin}/replayed`)).status).toBe(401);
      expect((await signedFetch(`${exact.origin}/no-time`)).status).toBe(401);
      expect([ahead.seen.length, exact.seen.length]).toEqual([1, 1]);
    } finally {
      ahead.route = skewedVerifier(() => skew);
      exact.route = skewedVerifier(() => 0);
    }
  });

  it('a clock that returns nonsense fails with invalid_option', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, clock: () => Number.NaN, origins: '*' });
    await expect(signedFetch(`${exact.origin}/nan`)).rejects.toMatchObject({ code: 'invalid_option' });
  });
});
