// scheme: 'rfc9421' in createSigningFetch and signingInterceptor, against
// real servers on 127.0.0.1 that check every request with core's
// verifyRfc9421 over the exact bytes and field lines received.
import { importKey } from '@sigil/core';
import { parseRfc9421Signature, rfc9421Key, verifyRfc9421, type Rfc9421VerifyResult } from '@sigil/core/rfc9421';
import { createSigningFetch, signingInterceptor } from '@sigil/fetch';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type Route, type Seen, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
const bound = rfc9421Key(key);
const nowSeconds = () => Math.floor(Date.now() / 1000);
let a: TestServer;
let b: TestServer;
const agents: Agent[] = [];

/** core's verdict on a received request, with the default required components. */
function check(seen: Seen, label?: string): Rfc9421VerifyResult {
  return verifyRfc9421({ method: seen.method, target: seen.url, headers: seen.headers, body: seen.body, scheme: 'http' }, bound, label ? { label } : {});
}

function params(seen: Seen) {
  return parseRfc9421Signature({ method: seen.method, target: seen.url, headers: seen.headers }).params;
}

const routes: Record<string, Route> = {
  '/same': (_s, res) => void res.writeHead(307, { location: '/final?hop=1' }).end(),
  '/see-other': (_s, res) => void res.writeHead(303, { location: '/final' }).end(),
  '/cross': (_s, res, server) => void res.writeHead(307, { location: `${server === a ? b.origin : a.origin}/landing` }).end(),
};

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(key), startServer(key)]);
  const route: Route = (seen, res, server) => {
    const found = routes[new URL(seen.url, 'http://x').pathname];
    if (found) return found(seen, res, server);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${seen.method} ${seen.url}`);
  };
  a.route = route;
  b.route = route;
});
afterAll(() => Promise.all([a.close(), b.close(), ...agents.map((x) => x.close())]));
beforeEach(() => {
  a.seen.length = 0;
  b.seen.length = 0;
});

describe('createSigningFetch with scheme rfc9421', () => {
  const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, scheme: 'rfc9421', origins: '*' });

  it('sends Content-Digest, Signature-Input and Signature over the exact bytes, and no Sigil-Signature', async () => {
    const body = '{"qty":1,"note":"é"}';
    const res = await signedFetch(`${a.origin}/v1/orders?dry_run=1&x=%20`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    const seen = a.seen[0]!;
    expect(seen.signature).toBeUndefined();
    expect(seen.header('content-digest')).toMatch(/^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    const result = check(seen);
    expect(result).toMatchObject({ ok: true, label: 'sig1', keyid: 'client-1', alg: 'hmac-sha256', contentDigest: ['sha-256'] });
    if (!result.ok) throw new Error('unreachable');
    expect(result.components).toEqual(['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"']);
    expect(Math.abs(result.created! - nowSeconds())).toBeLessThanOrEqual(2);
    expect(result.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(result.expires).toBeUndefined();
  });

  it('signs a bodiless GET without Content-Digest, and the signedHeaders the request carries', async () => {
    const withId = createSigningFetch({ keyId: 'client-1', secret: key, scheme: 'rfc9421', signedHeaders: ['x-request-id', 'x-absent'], origins: '*' });
    await withId(`${a.origin}/x`, { headers: { 'x-request-id': 'r-1' } });
    const seen = a.seen[0]!;
    expect(seen.header('content-digest')).toBeUndefined();
    expect(check(seen)).toMatchObject({ ok: true, components: ['"@method"', '"@authority"', '"@path"', '"@query"', '"x-request-id"'] });
  });

  it('honours label, tag, components, digest and expiresInSeconds', async () => {
    const custom = createSigningFetch({
      keyId: 'client-1',
      secret: key,
      scheme: 'rfc9421',
      rfc9421: { label: 'mine', tag: 'app', components: ['@method', '@target-uri', 'content-digest'], digest: 'sha-512', expiresInSeconds: 30 },
      origins: '*',
    });
    await custom(`${a.origin}/p?q=1`, { method: 'PUT', body: 'bytes' });
    const seen = a.seen[0]!;
    expect(seen.header('content-digest')).toMatch(/^sha-512=:/);
    const result = verifyRfc9421(
      { method: seen.method, target: seen.url, headers: seen.headers, body: seen.body, scheme: 'http' },
      bound,
      { tag: 'app', requiredComponents: ['@method', '@target-uri', 'content-digest'] },
    );
    expect(result).toMatchObject({ ok: true, label: 'mine', tag: 'app', contentDigest: ['sha-512'] });
    if (!result.ok) throw new Error('unreachable');
    expect(result.expires! - result.created!).toBe(30);
  });

  it('refuses to sign a Content-Digest that does not match the body, sending nothing', async () => {
    await expect(signedFetch(`${a.origin}/x`, { method: 'POST', headers: { 'content-digest': 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' }, body: 'x' })).rejects.toMatchObject({
      code: 'content_digest_mismatch',
    });
    expect(a.seen).toHaveLength(0);
  });
});

describe('rfc9421 across redirects', () => {
  const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, scheme: 'rfc9421', redirect: { crossOrigin: 'follow-unsigned' }, origins: '*' });

  it('re-signs each same-origin hop with a fresh nonce and created', async () => {
    const res = await signedFetch(`${a.origin}/same`, { method: 'POST', body: 'payload' });
    expect(await res.text()).toBe('ok POST /final?hop=1');
    expect(a.seen.map((s) => check(s).ok)).toEqual([true, true]);
    expect(params(a.seen[0]!).nonce).not.toBe(params(a.seen[1]!).nonce);
  });

  it('303 drops the body and its Content-Digest, the caller-supplied one included', async () => {
    const digest = 'sha-256=:I59Z7VXnN8dxR89VrQwbAwttfudIp0JpUvm4UtWpNeU=:'; // sha-256 of "payload"
    await signedFetch(`${a.origin}/see-other`, { method: 'POST', headers: { 'content-digest': digest }, body: 'payload' });
    expect(a.seen.map((s) => [s.method, check(s).ok])).toEqual([['POST', true], ['GET', true]]);
    expect(a.seen[0]!.header('content-digest')).toBe(digest);
    expect(a.seen[1]!.header('content-digest')).toBeUndefined();
  });

  it('never sends a signature to another origin: ours, and Signature lines the caller added', async () => {
    const res = await signedFetch(`${a.origin}/cross`, {
      method: 'PUT',
      headers: { signature: 'other=:AAAA:', 'signature-input': 'other=();created=1', authorization: 'Bearer t' },
      body: 'payload',
    });
    expect(await res.text()).toBe('ok PUT /landing');
    // The caller's own signature travels beside ours on the first origin.
    expect(check(a.seen[0]!, 'sig1').ok).toBe(true);
    expect(a.seen[0]!.header('signature')).toMatch(/^other=:AAAA:, sig1=:/);
    const landed = b.seen[0]!;
    for (const name of ['signature', 'signature-input', 'authorization', 'sigil-signature']) expect(landed.header(name), name).toBeUndefined();
    expect(Buffer.from(landed.body).toString()).toBe('payload');
  });
});

describe('signingInterceptor with scheme rfc9421', () => {
  const agent = (...more: Dispatcher.DispatcherComposeInterceptor[]): Dispatcher => {
    const base = new Agent();
    agents.push(base);
    return base.compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin], scheme: 'rfc9421' }), ...more);
  };

  it('signs undici.request over the bytes sent', async () => {
    const res = await request(`${a.origin}/i?z=1`, { dispatcher: agent(), method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(await res.body.text()).toBe('ok POST /i?z=1');
    expect(check(a.seen[0]!)).toMatchObject({ ok: true, contentDigest: ['sha-256'] });
  });

  it('interceptors.retry: every attempt carries its own nonce', async () => {
    let n = 0;
    a.route = (seen, res) => (n++ < 1 ? void res.writeHead(503).end() : void res.writeHead(200).end('ok'));
    const res = await request(`${a.origin}/flaky`, { dispatcher: agent(interceptors.retry({ minTimeout: 1, maxTimeout: 5, methods: ['POST'] })), method: 'POST', body: 'b' });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(a.seen.map((s) => check(s).ok)).toEqual([true, true]);
    expect(new Set(a.seen.map((s) => params(s).nonce)).size).toBe(2);
  });
});

describe('rfc9421 options', () => {
  it.each([
    ['hmac-sha512', { scheme: 'rfc9421', algorithm: 'hmac-sha512' }, /algorithm must be 'hmac-sha256'/],
    ['rfc9421 without the scheme', { rfc9421: {} }, /rfc9421 is given/],
    ['a label that is no sf-key', { scheme: 'rfc9421', rfc9421: { label: 'Sig' } }, /rfc9421\.label/],
    ['a bad component', { scheme: 'rfc9421', rfc9421: { components: ['@method', 'Content-Type'] } }, /rfc9421\.components\.1/],
    ['an unknown digest', { scheme: 'rfc9421', rfc9421: { digest: 'md5' } }, /rfc9421\.digest/],
    ['a zero lifetime', { scheme: 'rfc9421', rfc9421: { expiresInSeconds: 0 } }, /rfc9421\.expiresInSeconds/],
    ['an unknown scheme', { scheme: 'cavage' }, /scheme/],
  ])('refuses %s with invalid_option', (_name, options, message) => {
    expect(() => createSigningFetch({ keyId: 'client-1', secret: key, ...(options as object), origins: '*' })).toThrow(message);
  });

  it('shows the scheme, never the secret, through inspect and JSON', () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: SECRET_BYTES, scheme: 'rfc9421', origins: '*' });
    const text = JSON.stringify(signedFetch);
    expect(text).toContain('"scheme":"rfc9421"');
    expect(text).not.toContain(Buffer.from(SECRET_BYTES).toString('base64url'));
  });
});
