// @sigil/verify/hono and @sigil/verify/fetch, served by @hono/node-server on
// a real socket (the Fetch API Request path that Hono, Next.js route
// handlers, Bun, Deno and Workers share).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type Verifier } from '../src/index.js';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilHono, type SigilHonoEnv } from '../src/adapters/hono/index.js';
import { close } from './helpers/servers.js';
import { KEY, KEY_ID, nowSeconds, signedHeaders } from './helpers/sign.js';

const makeVerifier = (): Verifier =>
  createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes: 1024 });

async function start(fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>): Promise<{ server: Server; host: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetch as Parameters<typeof serve>[0]['fetch'], port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({ server: server as Server, host: `127.0.0.1:${info.port}` });
    });
  });
}

function send(host: string, method: string, target: string, body?: string, contentType = 'application/json') {
  const headers = signedHeaders({ method, target, host, body: body ?? '', headers: body === undefined ? {} : { 'content-type': contentType } });
  return request(`http://${host}${target}`, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });
}

describe('hono adapter (sigilHono)', () => {
  let hono: { server: Server; host: string };

  beforeAll(async () => {
    const app = new Hono<SigilHonoEnv & { Bindings: HttpBindings }>();
    app.use('*', sigilHono(makeVerifier()));
    app.post('/json', async (c) => c.json({ keyId: c.get('sigil').keyId, body: await c.req.json(), text: await c.req.text() }));
    app.post('/form', async (c) => c.json({ form: await c.req.parseBody() }));
    app.all('/any', (c) => c.json({ method: c.req.method }));
    hono = await start(app.fetch);
  });
  afterAll(() => close(hono.server));

  it('verifies, then c.req.json() and c.req.text() read the verified bytes again', async () => {
    const body = '{ "qty": 1 }';
    const res = await send(hono.host, 'POST', '/json', body);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keyId: KEY_ID, body: { qty: 1 }, text: body });
  });

  it('lets c.req.parseBody() read a verified form', async () => {
    const res = await send(hono.host, 'POST', '/form', 'a=1&b=2', 'application/x-www-form-urlencoded');
    expect(await res.body.json()).toEqual({ form: { a: '1', b: '2' } });
  });

  it('protects every method, HEAD and OPTIONS included, and unknown routes', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH']) {
      for (const target of ['/any', '/nowhere']) {
        const denied = await request(`http://${hono.host}${target}`, { method: method as 'GET' });
        expect(denied.statusCode, `${method} ${target}`).toBe(401);
        await denied.body.dump();
      }
      const ok = await send(hono.host, method, '/any');
      expect(ok.statusCode, method).toBe(200);
      await ok.body.dump();
    }
  });

  it('answers failures with the code only, and the server time on a stale timestamp', async () => {
    const headers = signedHeaders({ method: 'GET', target: '/any', host: hono.host, options: { timestamp: nowSeconds() - 3600 } });
    const stale = await request(`http://${hono.host}/any`, { headers });
    expect(stale.statusCode).toBe(401);
    expect(Number(stale.headers['sigil-server-time'])).toBeGreaterThan(nowSeconds() - 5);
    expect(await stale.body.json()).toEqual({ error: 'timestamp_out_of_window' });
    const big = await send(hono.host, 'POST', '/json', JSON.stringify({ pad: 'x'.repeat(2000) }));
    expect(big.statusCode).toBe(413);
    expect(await big.body.json()).toEqual({ error: 'body_too_large' });
  });

  it('takes the raw target from node-server, not the URL-normalised one', async () => {
    const target = '/x/../any';
    const client = new Client(`http://${hono.host}`); // sends `path` as given, unlike a URL
    const res = await client.request({ method: 'GET', path: target, headers: signedHeaders({ method: 'GET', target, host: hono.host }) });
    // Hono routes the normalised /any, and the signature over the raw target holds.
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await client.close();
  });
});

describe('fetch adapter (sigilFetchHandler)', () => {
  let plain: { server: Server; host: string };
  let withPeer: { server: Server; host: string };

  beforeAll(async () => {
    const handler = async (req: Request, { keyId }: { keyId: string }, _env: HttpBindings) =>
      Response.json({ keyId, method: req.method, body: req.method === 'HEAD' ? '' : await req.text() });
    plain = await start(sigilFetchHandler(makeVerifier(), handler));
    withPeer = await start(
      sigilFetchHandler(makeVerifier(), handler, {
        connection: (_req, env: HttpBindings) => ({ remoteAddress: env.incoming.socket.remoteAddress }),
      }),
    );
  });
  afterAll(async () => {
    await close(plain.server);
    await close(withPeer.server);
  });

  it('without a peer address, an http:// Request is insecure transport', async () => {
    const res = await send(plain.host, 'GET', '/x');
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toEqual({ error: 'insecure_transport' });
  });

  it('with the loopback peer from the runtime, verifies and hands the handler a readable Request', async () => {
    const res = await send(withPeer.host, 'POST', '/orders?x=1', '{"qty":1}');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keyId: KEY_ID, method: 'POST', body: '{"qty":1}' });
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const denied = await request(`http://${withPeer.host}/x`, { method: method as 'GET' });
      expect(denied.statusCode, method).toBe(401);
      await denied.body.dump();
      const ok = await send(withPeer.host, method, '/x');
      expect(ok.statusCode, method).toBe(200);
      await ok.body.dump();
    }
  });
});
