// Response signing, server half (issue 14; SPEC.md section 11.5), through
// each of the five adapters on a real socket: the signing fetch with
// `verifyResponses: true` verifies what the server signed; failures after
// the MAC (nonce_replayed, a 503 store failure, a stale timestamp with a
// valid MAC) are signed; a failure that cannot be bound is plainly
// unsigned; a route marked sendUnsigned() streams unsigned; a body over the
// limit is a signed 500 response_too_large; an RFC 9421 request gets an RFC
// 9421 response that core's verifyRfc9421Response verifies.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { serve, type HttpBindings } from '@hono/node-server';
import { isSigilError, signRequest, verifyResponse } from '@sigil/core';
import { contentDigest, rfc9421Key, signRfc9421, verifyRfc9421Response } from '@sigil/core/rfc9421';
import { createSigningFetch, type SigningEvent } from '@sigil/fetch';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeScheme } from '@sigil/core/webhooks';
import { createVerifier, MemoryNonceStore, type AnyVerificationSuccess, type NonceStore, type VerificationSuccess } from '../src/index.js';
import { stripeHeaders } from './helpers/deliveries.js';
import { sendUnsigned as sendUnsignedExpress, sigilExpress } from '../src/adapters/express/index.js';
import { sendUnsigned as sendUnsignedFastify, sigilFastify } from '../src/adapters/fastify/index.js';
import { sendUnsigned as sendUnsignedFetch, sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sendUnsigned as sendUnsignedHono, sigilHono, type SigilHonoEnv } from '../src/adapters/hono/index.js';
import { sendUnsigned as sendUnsignedNode, sigilListener } from '../src/adapters/node/index.js';
import type { Req } from './helpers/express-types.js';

/** The slice of Express's res these routes use (over Node's ServerResponse). */
type Res = ServerResponse & { type(type: string): Res; status(code: number): Res; send(body: string): Res; redirect(status: number, url: string): void };
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, OTHER_KEY } from './helpers/sign.js';
import { verifyingClient } from './helpers/verifying-client.js';

const LIMIT = 1024;
const BIG = 'x'.repeat(LIMIT + 1);
const STREAMED = ['data: one\n\n', 'data: two\n\n'];
const signResponses = { maxBodyBytes: LIMIT };

/** A nonce store that fails on demand (the 503 case). */
let storeDown = false;
let serverOffsetMs = 0;
function flakyStore(): NonceStore {
  const inner = new MemoryNonceStore();
  return { checkAndStore: (space, id, expiresAtMs) => (storeDown ? Promise.reject(new Error('down')) : inner.checkAndStore(space, id, expiresAtMs)) };
}
const makeVerifier = () =>
  createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: flakyStore(), schemes: ['v1', 'rfc9421'], clock: () => Date.now() + serverOffsetMs });

const echo = (result: VerificationSuccess) => JSON.stringify({ keyId: result.keyId, body: Buffer.from(result.body).toString('utf8') });

type Started = { origin: string; stop: () => Promise<void> };

async function onNode(server: Server): Promise<Started> {
  return { origin: `http://${await listen(server)}`, stop: () => close(server) };
}

async function onHono(fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>): Promise<Started> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: fetch as Parameters<typeof serve>[0]['fetch'], port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const address = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${address.port}`, stop: () => close(server) };
}

const adapters: Record<string, () => Promise<Started>> = {
  node: () =>
    onNode(
      createServer(
        sigilListener(
          makeVerifier(),
          (req, res, result) => {
            if (req.url === '/stream') {
              sendUnsignedNode(res).writeHead(200, { 'content-type': 'text/event-stream' });
              return Readable.from(STREAMED).pipe(res);
            }
            if (req.url === '/big') return res.writeHead(200, { 'content-type': 'text/plain' }).end(BIG);
            if (req.url === '/moved') return res.writeHead(307, { location: '/echo' }).end();
            if (req.url === '/flushed') {
              res.flushHeaders();
              return res.end('late');
            }
            res.writeHead(201, { 'content-type': 'application/json' }).end(echo(result));
          },
          { signResponses },
        ),
      ),
    ),
  express: () => {
    const app = express();
    app.use(sigilExpress(makeVerifier(), { signResponses }));
    app.get('/stream', (_req: Req, res: Res) => {
      sendUnsignedExpress(res).writeHead(200, { 'content-type': 'text/event-stream' });
      Readable.from(STREAMED).pipe(res);
    });
    app.get('/big', (_req: Req, res: Res) => void res.type('text/plain').send(BIG));
    app.post('/moved', (_req: Req, res: Res) => res.redirect(307, '/echo'));
    app.post('/echo', (req: Req, res: Res) => void res.status(201).type('application/json').send(echo(req.sigil!)));
    return onNode(createServer(app));
  },
  fastify: async () => {
    const app = Fastify();
    await app.register(sigilFastify, { verifier: makeVerifier(), signResponses });
    app.get('/stream', async (_request, reply) => sendUnsignedFastify(reply).type('text/event-stream').send(Readable.from(STREAMED)));
    app.get('/big', async (_request, reply) => reply.type('text/plain').send(Readable.from([BIG])));
    app.post('/moved', async (_request, reply) => reply.redirect('/echo', 307));
    app.post('/echo', async (request, reply) => reply.code(201).type('application/json').send(echo(request.sigil!)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    return { origin: `http://127.0.0.1:${address.port}`, stop: () => app.close() };
  },
  hono: () => {
    const app = new Hono<SigilHonoEnv & { Bindings: HttpBindings }>();
    app.use('*', sigilHono(makeVerifier(), { signResponses }));
    app.get('/stream', () => sendUnsignedHono(new Response(Readable.toWeb(Readable.from(STREAMED)) as ReadableStream, { headers: { 'content-type': 'text/event-stream' } })));
    app.get('/big', (c) => c.text(BIG));
    app.post('/moved', (c) => c.redirect('/echo', 307));
    app.post('/echo', (c) => c.body(echo(c.get('sigil')), 201, { 'content-type': 'application/json' }));
    return onHono(app.fetch);
  },
  fetch: () =>
    onHono(
      sigilFetchHandler<[HttpBindings]>(
        makeVerifier(),
        (req, result) => {
          const path = new URL(req.url).pathname;
          if (path === '/stream') return sendUnsignedFetch(new Response(Readable.toWeb(Readable.from(STREAMED)) as ReadableStream, { headers: { 'content-type': 'text/event-stream' } }));
          if (path === '/big') return new Response(BIG, { headers: { 'content-type': 'text/plain' } });
          if (path === '/moved') return new Response(null, { status: 307, headers: { location: '/echo' } });
          return new Response(echo(result), { status: 201, headers: { 'content-type': 'application/json' } });
        },
        { connection: (_req, env: HttpBindings) => ({ remoteAddress: env.incoming.socket.remoteAddress }), signResponses },
      ),
    ),
};

/** The signing fetch, verifying responses, with a clock `offsetMs` off. */
const client = (origin: string, offsetMs = 0, events: SigningEvent[] = []) => verifyingClient(origin, { keyId: KEY_ID, key: KEY, offsetMs, events });

/** A v1 request signed by hand and sent with undici: the raw answer and the signed params. */
async function sendSigned(origin: string, path: string, body: string, key = KEY, headers?: Record<string, string>) {
  const host = new URL(origin).host;
  const all = headers ?? { host, 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', target: path, headers: Object.entries(all), body: new TextEncoder().encode(body) }, key, {
    keyId: KEY_ID,
    timestamp: Math.floor(Date.now() / 1000),
    headers: Object.keys(all),
  });
  return { headers: { ...all, 'sigil-signature': signed.header }, params: signed.params };
}

async function raw(origin: string, path: string, init: { method: string; headers: Record<string, string>; body?: string }) {
  const res = await request(`${origin}${path}`, { method: init.method as 'POST', headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const body = new Uint8Array(await res.body.arrayBuffer());
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(res.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) headers.push([name, item]);
  }
  return { status: res.statusCode, headers, body, header: (name: string) => headers.find(([n]) => n === name)?.[1] };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const found = isSigilError(error) ? error : (error as { cause?: unknown }).cause;
    if (isSigilError(found)) return found.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('webhook deliveries are never response-signed, even with signResponses on', () => {
  const secret = 'whsec_test_secret_0123456789';
  const hooks = () => createVerifier({ schemes: [stripeScheme({ secrets: [secret] })], nonceStore: new MemoryNonceStore() });
  const servers: Record<string, () => Promise<Started>> = {
    node: () => onNode(createServer(sigilListener(hooks(), (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(BIG), { signResponses }))),
    fetch: () =>
      onHono(
        sigilFetchHandler<[HttpBindings], AnyVerificationSuccess>(hooks(), () => new Response(BIG, { headers: { 'content-type': 'text/plain' } }), {
          connection: (_req, env: HttpBindings) => ({ remoteAddress: env.incoming.socket.remoteAddress }),
          signResponses,
        }),
      ),
  };
  it.each(Object.keys(servers))('%s: the answer goes out whole and unsigned, over the limit too', async (name) => {
    const server = await servers[name]!();
    try {
      const payload = '{"id":"evt_1"}';
      const answer = await raw(server.origin, '/hooks', { method: 'POST', headers: { 'content-type': 'application/json', ...stripeHeaders(secret, payload) }, body: payload });
      expect(answer.status).toBe(200);
      expect(answer.header('sigil-response-signature')).toBeUndefined();
      expect(new TextDecoder().decode(answer.body)).toBe(BIG);
    } finally {
      await server.stop();
    }
  });
});

describe('node adapter: res.flushHeaders() before the body', () => {
  it('is held back like writeHead (it goes through it): the response is still signed and verified', async () => {
    const server = await adapters.node!();
    try {
      const res = await client(server.origin)(`${server.origin}/flushed`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('late');
    } finally {
      await server.stop();
    }
  });
});

describe.each(Object.keys(adapters))('response signing through the %s adapter', (name) => {
  let server: Started;
  beforeAll(async () => {
    server = await adapters[name]!();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    storeDown = false;
    serverOffsetMs = 0;
  });

  it('a signed request gets a signed response the signing fetch verifies (verifyResponses: true)', async () => {
    const events: SigningEvent[] = [];
    const res = await client(server.origin, 0, events)(`${server.origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"qty":1}' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ keyId: KEY_ID, body: '{"qty":1}' });
    expect(events.filter((e) => e.type === 'response-verified')).toHaveLength(1);
  });

  it('signs Location: the signing fetch follows a verified redirect', async () => {
    const res = await client(server.origin)(`${server.origin}/moved`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(201);
    expect(res.redirected).toBe(true);
  });

  it('signs nonce_replayed: the replay answer is bound to the request it replays', async () => {
    const { headers, params } = await sendSigned(server.origin, '/echo', '{"a":1}');
    expect((await raw(server.origin, '/echo', { method: 'POST', headers, body: '{"a":1}' })).status).toBe(201);
    const replay = await raw(server.origin, '/echo', { method: 'POST', headers, body: '{"a":1}' });
    expect(replay.status).toBe(401);
    expect(JSON.parse(new TextDecoder().decode(replay.body))).toEqual({ error: 'nonce_replayed' });
    const verdict = verifyResponse({ status: replay.status, headers: replay.headers, body: replay.body }, KEY, { request: params, now: Math.floor(Date.now() / 1000) });
    expect(verdict.ok).toBe(true);
  });

  it('signs a 503 store failure: the signing fetch hands over a verified 503', async () => {
    storeDown = true;
    const res = await client(server.origin)(`${server.origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'nonce_store_unavailable' });
  });

  it('a client whose clock is 10 minutes off recovers: the 401 and its Sigil-Server-Time are signed, the client learns and retries', async () => {
    const events: SigningEvent[] = [];
    const res = await client(server.origin, -600_000, events)(`${server.origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"late":true}' });
    expect(res.status).toBe(201);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified', 'retry', 'signed', 'response-verified']);
  });

  it('signs sigil-server-time in the stale 401 (h lists it)', async () => {
    serverOffsetMs = 600_000;
    const { headers, params } = await sendSigned(server.origin, '/echo', '{}');
    const stale = await raw(server.origin, '/echo', { method: 'POST', headers, body: '{}' });
    expect(stale.status).toBe(401);
    const signature = stale.header('sigil-response-signature');
    expect(signature).toBeDefined();
    const verdict = verifyResponse({ status: 401, headers: stale.headers, body: stale.body }, KEY, { request: params, requiredHeaders: ['sigil-server-time'] });
    expect(verdict.ok).toBe(true);
  });

  it('a stale request with a bad MAC gets a plainly unsigned 401: the client refuses it (response_signature_missing)', async () => {
    serverOffsetMs = 600_000;
    const { headers } = await sendSigned(server.origin, '/echo', '{}', OTHER_KEY);
    const stale = await raw(server.origin, '/echo', { method: 'POST', headers, body: '{}' });
    expect(stale.status).toBe(401);
    expect(stale.header('sigil-server-time')).toBeDefined();
    expect(stale.header('sigil-response-signature')).toBeUndefined();
  });

  it('an unbindable failure (bad MAC) is plainly unsigned, and the signing fetch knows the difference', async () => {
    const { headers } = await sendSigned(server.origin, '/echo', '{}', OTHER_KEY);
    const denied = await raw(server.origin, '/echo', { method: 'POST', headers, body: '{}' });
    expect(denied.status).toBe(401);
    expect(denied.header('sigil-response-signature')).toBeUndefined();
    const wrong = createSigningFetch({ keyId: KEY_ID, secret: OTHER_KEY, origins: [server.origin], verifyResponses: true });
    expect(await refusal(wrong(`${server.origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))).toBe('response_signature_missing');
  });

  it('a route marked sendUnsigned() streams its body unsigned, and a verifying client refuses it', async () => {
    const plain = createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: [server.origin] });
    const res = await plain(`${server.origin}/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sigil-response-signature')).toBeNull();
    expect(await res.text()).toBe(STREAMED.join(''));
    expect(await refusal(client(server.origin)(`${server.origin}/stream`))).toBe('response_signature_missing');
  });

  it('a body over signResponses.maxBodyBytes without sendUnsigned() is a signed 500 response_too_large, never an unsigned 200', async () => {
    const res = await client(server.origin)(`${server.origin}/big`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'response_too_large' });
  });

  it('an RFC 9421 request gets an RFC 9421 response that verifyRfc9421Response verifies', async () => {
    const url = new URL(`${server.origin}/echo`);
    const body = new TextEncoder().encode('{"rfc":9421}');
    const base = { method: 'POST', scheme: 'http' as const, target: '/echo', headers: [['host', url.host], ['content-type', 'application/json']] as Array<[string, string]>, body };
    const signed = signRfc9421(base, rfc9421Key(KEY), { keyid: KEY_ID, created: Math.floor(Date.now() / 1000) });
    const sent = {
      ...base,
      headers: [...base.headers, ['content-digest', signed.contentDigest ?? contentDigest(body)], ['signature-input', signed.signatureInput], ['signature', signed.signature]] as Array<[string, string]>,
    };
    const answer = await raw(server.origin, '/echo', { method: 'POST', headers: Object.fromEntries(sent.headers), body: '{"rfc":9421}' });
    expect(answer.status).toBe(201);
    expect(answer.header('sigil-response-signature')).toBeUndefined();
    const verdict = verifyRfc9421Response({ status: answer.status, headers: answer.headers, body: answer.body }, sent, rfc9421Key(KEY), { label: 'sig1' });
    expect(verdict.ok).toBe(true);
    // Bound to that request: against another request's signature it fails.
    const other = signRfc9421(base, rfc9421Key(KEY), { keyid: KEY_ID, created: Math.floor(Date.now() / 1000) });
    const swapped = { ...sent, headers: sent.headers.map(([n, v]): [string, string] => [n, n === 'signature' ? other.signature : n === 'signature-input' ? other.signatureInput : v]) };
    expect(verifyRfc9421Response({ status: answer.status, headers: answer.headers, body: answer.body }, swapped, rfc9421Key(KEY), { label: 'sig1' }).ok).toBe(false);
  });

});
