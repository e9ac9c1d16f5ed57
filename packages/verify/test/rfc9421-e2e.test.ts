// End to end over real sockets on 127.0.0.1: createSigningFetch({ scheme:
// 'rfc9421' }) against verifiers accepting ['rfc9421'] and ['v1', 'rfc9421'],
// through the node and Hono adapters and over TLS; tampering, replay,
// expiry and coverage refused with their codes.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { Hono } from 'hono';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigilHono, type SigilHonoEnv } from '../src/adapters/hono/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { createVerifier, MemoryNonceStore, type VerificationSuccess, type VerifierEvent, type VerifierOptions } from '../src/index.js';
import { close, listen, selfSignedCert } from './helpers/servers.js';
import { KEY, KEY_ID } from './helpers/sign.js';

const servers: Server[] = [];
const events: VerifierEvent[] = [];
const store = new MemoryNonceStore();
let rfcOnly: string;
let both: string;
let honoOrigin: string;
let tlsOrigin: string;
const tls = selfSignedCert();
const tlsAgent = new Agent({ connect: { ca: tls.cert } });

const describeResult = (v: VerificationSuccess) => ({ scheme: v.scheme, keyId: v.keyId, components: v.components ?? null, body: Buffer.from(v.body).toString('utf8') });

function verifier(options: Partial<VerifierOptions>) {
  return createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, onEvent: (e) => events.push(e), ...options });
}

async function node(options: Partial<VerifierOptions>, make = createServer): Promise<string> {
  const server = make(sigilListener(verifier(options), (_req, res, v) => res.end(JSON.stringify(describeResult(v)))));
  servers.push(server);
  return `http://${await listen(server)}`;
}

beforeAll(async () => {
  rfcOnly = await node({ schemes: ['rfc9421'] });
  both = await node({ schemes: ['v1', 'rfc9421'] });
  const tlsServer = createHttpsServer(tls, sigilListener(verifier({ schemes: ['rfc9421'], rfc9421: { requiredComponents: ['@method', '@target-uri', 'content-digest'] } }), (_q, res) => res.end('tls ok')));
  servers.push(tlsServer);
  tlsOrigin = `https://${await listen(tlsServer)}`;
  const app = new Hono<SigilHonoEnv>();
  app.use('*', sigilHono(verifier({ schemes: ['v1', 'rfc9421'] })));
  app.all('*', async (c) => c.json({ scheme: c.get('sigil').scheme, text: await c.req.text() }));
  honoOrigin = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    servers.push(server as Server);
  });
});
afterAll(() => Promise.all([...servers.map(close), tlsAgent.close()]));

const rfcFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', origins: '*' });
const v1Fetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: '*' });
const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"qty":1}' };

describe('createSigningFetch({ scheme: "rfc9421" }) against createVerifier', () => {
  it.each([['rfc9421 only', () => rfcOnly], ['v1 and rfc9421', () => both]])('is accepted by a verifier for %s', async (_name, origin) => {
    const res = await rfcFetch(`${origin()}/v1/orders?dry_run=1`, post);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      scheme: 'rfc9421',
      keyId: KEY_ID,
      components: ['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"'],
      body: '{"qty":1}',
    });
  });

  it('the verifier for both also accepts v1; the rfc9421-only one answers a v1 client signature_missing', async () => {
    expect(await (await v1Fetch(`${both}/x`, post)).json()).toMatchObject({ scheme: 'v1', components: null });
    const refused = await v1Fetch(`${rfcOnly}/x`, post);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Sigil');
    expect(await refused.json()).toEqual({ error: 'signature_missing' });
  });

  it('works through the Fetch Request path (Hono), where Headers joins field lines', async () => {
    const res = await rfcFetch(`${honoOrigin}/h?a=1&a=2`, { method: 'PUT', body: 'bytes' });
    expect(await res.json()).toEqual({ scheme: 'rfc9421', text: 'bytes' });
  });

  it('covers @target-uri over TLS, with the https scheme the connection gives', async () => {
    const tlsFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', fetch: undiciFetch as FetchLike, rfc9421: { components: ['@method', '@target-uri', 'content-digest', 'content-type'] }, origins: '*' });
    const res = await tlsFetch(`${tlsOrigin}/secure?x=1`, { method: 'POST', body: 'over tls', dispatcher: tlsAgent } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('tls ok');
  });
});

/** A fetch that lets a test play the attacker on the path: it rewrites what the client sends. */
function onPath(rewrite: (headers: [string, string][], body: Uint8Array | undefined) => { headers: [string, string][]; body?: Uint8Array }): FetchLike {
  return async (url, init: { headers: [string, string][]; body?: Uint8Array }) => {
    const changed = rewrite(init.headers, init.body);
    return fetch(url, { ...init, headers: changed.headers, body: (changed.body ?? init.body ?? null) as Uint8Array<ArrayBuffer> | null });
  };
}

async function refusal(res: Response) {
  return { status: res.status, error: ((await res.json()) as { error: string }).error };
}

describe('refused', () => {
  it('a body changed in flight: content_digest_mismatch; with the digest recomputed too: signature_invalid', async () => {
    const other = new TextEncoder().encode('{"qty":9}');
    const keepDigest = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', fetch: onPath((headers) => ({ headers, body: other })), origins: '*' });
    expect(await refusal(await keepDigest(`${rfcOnly}/x`, post))).toEqual({ status: 401, error: 'content_digest_mismatch' });
    const digest = `sha-256=:${Buffer.from(await crypto.subtle.digest('SHA-256', other)).toString('base64')}:`;
    const recompute = onPath((headers) => ({ headers: headers.map(([n, v]) => [n, n === 'content-digest' ? digest : v]), body: other }));
    const forged = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', fetch: recompute, origins: '*' });
    expect(await refusal(await forged(`${rfcOnly}/x`, post))).toEqual({ status: 401, error: 'signature_invalid' });
  });

  it('a replay, through the same store, whichever verifier receives it', async () => {
    let captured: { headers: [string, string][]; body?: Uint8Array } | undefined;
    const recording = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', fetch: onPath((headers, body) => (captured = { headers, body: body! })), origins: '*' });
    expect((await recording(`${rfcOnly}/x`, post)).status).toBe(200);
    // Another verifier instance on the same store, reached under the same authority: a replay too.
    const host = new URL(rfcOnly).host;
    for (const origin of [rfcOnly, both]) {
      const again = await request(`${origin}/x`, { method: 'POST', headers: [...captured!.headers.flat(), 'host', host], body: captured!.body });
      expect(again.statusCode, origin).toBe(401);
      expect(await again.body.json()).toEqual({ error: 'nonce_replayed' });
    }
  });

  it('a past expires: timestamp_out_of_window with Sigil-Server-Time; the client corrects its clock and retries once', async () => {
    events.length = 0;
    const late = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', clock: () => Date.now() - 20_000, rfc9421: { expiresInSeconds: 10 }, origins: '*' });
    const res = await late(`${rfcOnly}/x`);
    expect(res.status).toBe(200);
    expect(events.map((e) => e.code ?? e.type)).toEqual(['timestamp_out_of_window', 'accepted']);
  });

  it('a past expires answered directly: 401, WWW-Authenticate and Sigil-Server-Time', async () => {
    const attempts: [string, string][][] = [];
    const late = createSigningFetch({
      keyId: KEY_ID,
      secret: KEY,
      scheme: 'rfc9421',
      clock: () => Date.now() - 20_000,
      rfc9421: { expiresInSeconds: 10 },
      fetch: onPath((headers) => (attempts.push(headers), { headers })),
      origins: '*',
    });
    await (await late(`${rfcOnly}/x`)).text();
    expect(attempts).toHaveLength(2);
    const first = attempts[0]!;
    // The first attempt's headers, sent again by hand: its nonce was never stored.
    const res = await request(`${rfcOnly}/x`, { headers: first.flat() });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Sigil');
    expect(Math.abs(Number(res.headers['sigil-server-time']) - Date.now() / 1000)).toBeLessThan(3);
    expect(await res.body.json()).toEqual({ error: 'timestamp_out_of_window' });
  });

  it("docs/rfc9421.md's requiredComponents example accepts the client's own GET and POST; listing content-digest would refuse its GET", async () => {
    const documented = await node({ schemes: ['rfc9421'], rfc9421: { requiredComponents: ['@method', '@authority', '@path', '@query'] } });
    expect((await rfcFetch(`${documented}/v1/orders`)).status).toBe(200);
    expect((await rfcFetch(`${documented}/v1/orders`, post)).status).toBe(200);
    const digestListed = await node({ schemes: ['rfc9421'], rfc9421: { requiredComponents: ['@method', '@authority', '@path', '@query', 'content-digest'] } });
    expect(await refusal(await rfcFetch(`${digestListed}/v1/orders`))).toEqual({ status: 401, error: 'header_not_signed' });
  });

  it('a signature without a required component: header_not_signed', async () => {
    const partial = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', rfc9421: { components: ['@method', '@authority', '@path', 'content-digest', 'content-type'] }, origins: '*' });
    expect(await refusal(await partial(`${rfcOnly}/x?q=1`, post))).toEqual({ status: 401, error: 'header_not_signed' });
  });

  it('a request carrying both a v1 and an RFC 9421 signature, at a verifier for both', async () => {
    let captured: [string, string][] = [];
    const recording = createSigningFetch({ keyId: KEY_ID, secret: KEY, fetch: onPath((headers) => ((captured = headers), { headers })), origins: '*' });
    await (await recording(`${rfcOnly}/x`)).text();
    const sigil = captured.find(([n]) => n === 'sigil-signature')!;
    const mixed = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', fetch: onPath((headers) => ({ headers: [...headers, sigil] })), origins: '*' });
    expect(await refusal(await mixed(`${both}/x`))).toEqual({ status: 401, error: 'signature_header_malformed' });
  });
});
