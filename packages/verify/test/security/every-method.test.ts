// Attack: a route or method left unprotected. Verification applied per
// route or per method leaves holes, classically OPTIONS and HEAD (which
// frameworks answer on their own) and routes nobody registered. Each
// adapter is mounted the way its README says, on an app with a single
// GET route; every method, on that route and on an unknown one, must be
// refused unsigned and get past the verifier when the real client signs it.
import type { Server } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { createSigningFetch } from '@sigil/fetch';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type Verifier, type VerifierEvent } from '../../src/index.js';
import { sigilExpress } from '../../src/adapters/express/index.js';
import { sigilFastify } from '../../src/adapters/fastify/index.js';
import { sigilFetchHandler } from '../../src/adapters/fetch/index.js';
import { sigilHono } from '../../src/adapters/hono/index.js';
import { sigilListener } from '../../src/adapters/node/index.js';
import type { Req, Res } from '../helpers/express-types.js';
import { close, listen, serveFetch as serveFetchApp } from '../helpers/servers.js';
import { KEY, KEY_ID } from '../helpers/sign.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'] as const;
/** What each adapter's verifier decided, in order. */
const events: VerifierEvent[] = [];
const verifier = (): Verifier => createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), onEvent: (e) => void events.push(e) });

const servers: Server[] = [];
let fastify: FastifyInstance;
const origins: Record<string, string> = {};

async function serveFetch(fetch: Parameters<typeof serveFetchApp>[0]): Promise<string> {
  const { server, host } = await serveFetchApp(fetch);
  servers.push(server);
  return `http://${host}`;
}

beforeAll(async () => {
  const { createServer } = await import('node:http');
  const node = createServer(
    sigilListener(verifier(), (req, res) => void res.writeHead(req.method === 'GET' && req.url === '/orders' ? 200 : 404).end()),
  );
  servers.push(node);
  origins.node = `http://${await listen(node)}`;

  const app = express();
  app.use(sigilExpress(verifier()));
  app.get('/orders', (_req: Req, res: Res) => void res.json({ ok: true }));
  const expressServer = createServer(app);
  servers.push(expressServer);
  origins.express = `http://${await listen(expressServer)}`;

  fastify = Fastify();
  await fastify.register(sigilFastify, { verifier: verifier() });
  fastify.get('/orders', async () => ({ ok: true }));
  origins.fastify = await fastify.listen({ port: 0, host: '127.0.0.1' });

  const hono = new Hono();
  hono.use('*', sigilHono(verifier()));
  hono.get('/orders', (c) => c.json({ ok: true }));
  origins.hono = await serveFetch(hono.fetch);

  const handler = sigilFetchHandler<[HttpBindings]>(
    verifier(),
    (req) => new Response(null, { status: req.method === 'GET' && new URL(req.url).pathname === '/orders' ? 200 : 404 }),
    { connection: (_req, env) => ({ remoteAddress: env.incoming.socket.remoteAddress }) },
  );
  origins.fetch = await serveFetch(handler);
});
afterAll(async () => {
  await fastify.close();
  await Promise.all(servers.map(close));
});

describe('attack: a route or method left unprotected', () => {
  it.each(['node', 'express', 'fastify', 'hono', 'fetch'])('%s adapter: every method, known route or not, is verified', async (name) => {
    const origin = origins[name]!;
    const signedFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: [origin] });
    const outcome: Record<string, unknown[]> = {};
    for (const method of METHODS) {
      const unsigned = [];
      for (const path of ['/orders', '/nowhere']) {
        const res = await request(`${origin}${path}`, { method });
        await res.body.dump();
        unsigned.push(res.statusCode, events.at(-1)?.code);
      }
      events.length = 0;
      const signed = await signedFetch(`${origin}/orders`, { method, ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: '{}' } : {}) });
      await signed.body?.cancel();
      outcome[method] = [...unsigned, events.map((e) => e.type).join(), method === 'GET' ? signed.status : 'app'];
    }
    // Unsigned: refused on the route and off it; signed: accepted by the verifier, then the app answers.
    expect(outcome).toEqual(
      Object.fromEntries(METHODS.map((m) => [m, [401, 'signature_missing', 401, 'signature_missing', 'accepted', m === 'GET' ? 200 : 'app']])),
    );
  });
});
