// CORS in front of Sigil, as README.md ("Browsers: redirects and CORS")
// says to place it: the preflight (an unsigned OPTIONS) is answered by the
// CORS layer and never reaches the verifier; every other response, Sigil's
// refusals included, carries Access-Control-Allow-Origin and exposes
// Sigil-Server-Time. Hono with hono/cors, Express with a CORS middleware,
// each registered before Sigil, on a real socket. (Headless Chromium runs the
// node adapter's variant in the runtime matrix.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilExpress } from '../src/adapters/express/index.js';
import { sigilHono } from '../src/adapters/hono/index.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, nowSeconds, signedHeaders } from './helpers/sign.js';

const PAGE = 'https://app.example.com';
const ALLOW_HEADERS = ['content-type', 'sigil-signature', 'content-digest', 'signature', 'signature-input'];
const verifier = () => createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore() });

function honoServer(): Promise<{ server: Server; host: string }> {
  const app = new Hono();
  app.use('*', cors({ origin: PAGE, allowHeaders: ALLOW_HEADERS, exposeHeaders: ['Sigil-Server-Time'] }));
  app.use('*', sigilHono(verifier()));
  app.post('/orders', (c) => c.json({ ok: true }));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server: server as Server, host: `127.0.0.1:${info.port}` }));
  });
}

async function expressServer(): Promise<{ server: Server; host: string }> {
  const app = express();
  app.use((req, res, next) => {
    res.set({ 'access-control-allow-origin': PAGE, 'access-control-expose-headers': 'sigil-server-time', vary: 'origin' });
    if (req.method !== 'OPTIONS') return next();
    res.set({ 'access-control-allow-methods': 'POST', 'access-control-allow-headers': ALLOW_HEADERS.join(', ') }).status(204).end();
  });
  app.use(sigilExpress(verifier()));
  app.post('/orders', (_req, res) => void res.json({ ok: true }));
  const server = createServer(app);
  return { server, host: await listen(server) };
}

describe.each([
  ['Hono (hono/cors before sigilHono)', honoServer],
  ['Express (CORS middleware before sigilExpress)', expressServer],
] as const)('%s', (_name, start) => {
  let served: { server: Server; host: string };
  beforeAll(async () => void (served = await start()));
  afterAll(() => close(served.server));

  it('answers the unsigned preflight without the verifier', async () => {
    const res = await request(`http://${served.host}/orders`, {
      method: 'OPTIONS',
      headers: { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,sigil-signature' },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('sigil-signature');
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
  });

  it("a refusal for a stale timestamp carries the CORS headers, so a page can read Sigil-Server-Time", async () => {
    const body = '{}';
    const headers = signedHeaders({ method: 'POST', target: '/orders', host: served.host, body, headers: { 'content-type': 'application/json' }, options: { timestamp: nowSeconds() - 3600 } });
    const res = await request(`http://${served.host}/orders`, { method: 'POST', headers: { ...headers, origin: PAGE }, body });
    expect(await res.body.json()).toEqual({ error: 'timestamp_out_of_window' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(String(res.headers['access-control-expose-headers']).toLowerCase()).toBe('sigil-server-time');
    expect(Number(res.headers['sigil-server-time'])).toBeGreaterThan(0);
  });

  it('the signed request after the preflight is verified and answered', async () => {
    const body = '{"qty":1}';
    const headers = signedHeaders({ method: 'POST', target: '/orders', host: served.host, body, headers: { 'content-type': 'application/json' } });
    const res = await request(`http://${served.host}/orders`, { method: 'POST', headers: { ...headers, origin: PAGE }, body });
    expect(await res.body.json()).toEqual({ ok: true });
    expect(res.statusCode).toBe(200);
  });

  it('an unsigned POST is still refused: the CORS layer lets only OPTIONS through', async () => {
    const res = await request(`http://${served.host}/orders`, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json' }, body: '{}' });
    expect(await res.body.json()).toEqual({ error: 'signature_missing' });
    expect(res.statusCode).toBe(401);
  });
});
