// The one failure answer, through every adapter over a real socket:
// `WWW-Authenticate: Sigil` on every 401 (SPEC.md section 4.1), and a key
// resolver that throws or rejects answered 503 key_lookup_unavailable (fail
// closed) without its message and without reaching the application.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigilExpress } from '../src/adapters/express/index.js';
import { sigilFastify } from '../src/adapters/fastify/index.js';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilHono, type SigilHonoEnv } from '../src/adapters/hono/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { failureReply } from '../src/lib/response.js';
import { createVerifier, MemoryNonceStore, type KeyResolver, type Verifier, type VerifierEvent } from '../src/index.js';
import type { Req, Res } from './helpers/express-types.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, signedHeaders } from './helpers/sign.js';

const SECRET_MESSAGE = 'db password hunter2 refused';
const events: VerifierEvent[] = [];
let reached = 0;

const verifierWith = (keys: KeyResolver | Record<string, typeof KEY>): Verifier =>
  createVerifier({ keys, nonceStore: new MemoryNonceStore(), onEvent: (e) => events.push(e) });
const ok = verifierWith({ [KEY_ID]: KEY });
const throwing = verifierWith(() => {
  throw new Error(SECRET_MESSAGE);
});
const rejecting = verifierWith(() => Promise.reject(new Error(SECRET_MESSAGE)));

type Mount = (verifier: Verifier) => Promise<{ host: string; stop: () => Promise<unknown> }>;

const nodeServer = async (server: Server) => ({ host: await listen(server), stop: () => close(server) });

const mounts: Record<string, Mount> = {
  node: (v) => nodeServer(createServer(sigilListener(v, (_req, res) => ((reached++), res.end('ok'))))),
  express: (v) => {
    const app = express();
    app.use(sigilExpress(v));
    app.get('/x', (_req: Req, res: Res) => ((reached++), res.json({ ok: true })));
    return nodeServer(createServer(app));
  },
  fastify: async (v) => {
    const app: FastifyInstance = Fastify();
    await app.register(sigilFastify, { verifier: v });
    app.get('/x', async () => ((reached++), { ok: true }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { host: new URL(address).host, stop: () => app.close() };
  },
  hono: (v) => {
    const app = new Hono<SigilHonoEnv>();
    app.use('*', sigilHono(v));
    app.get('/x', (c) => ((reached++), c.json({ ok: true })));
    return honoServe(app.fetch);
  },
  fetch: (v) =>
    honoServe(sigilFetchHandler(v, () => ((reached++), Response.json({ ok: true })), { connection: () => ({ remoteAddress: '127.0.0.1' }) })),
};

function honoServe(fetch: (request: Request) => Response | Promise<Response>): Promise<{ host: string; stop: () => Promise<unknown> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({ host: `127.0.0.1:${info.port}`, stop: () => close(server as Server) });
    });
  });
}

describe.each(Object.keys(mounts))('%s adapter failure responses', (name) => {
  const servers: Record<string, { host: string; stop: () => Promise<unknown> }> = {};

  beforeAll(async () => {
    servers.ok = await mounts[name]!(ok);
    servers.throwing = await mounts[name]!(throwing);
    servers.rejecting = await mounts[name]!(rejecting);
  });
  afterAll(() => Promise.all(Object.values(servers).map((s) => s.stop())));

  it('challenges every 401 with WWW-Authenticate: Sigil', async () => {
    const res = await request(`http://${servers.ok!.host}/x`);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Sigil');
    expect(await res.body.json()).toEqual({ error: 'signature_missing' });
  });

  it('lets a signed request through without a challenge', async () => {
    const host = servers.ok!.host;
    const res = await request(`http://${host}/x`, { headers: signedHeaders({ method: 'GET', target: '/x', host }) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['www-authenticate']).toBeUndefined();
    await res.body.dump();
  });

  it.each(['throwing', 'rejecting'])('answers 503 key_lookup_unavailable for a %s resolver, reaching nothing', async (which) => {
    const host = servers[which]!.host;
    const before = reached;
    events.length = 0;
    const res = await request(`http://${host}/x`, { headers: signedHeaders({ method: 'GET', target: '/x', host }) });
    const text = await res.body.text();
    expect(res.statusCode).toBe(503);
    expect(text).toBe('{"error":"key_lookup_unavailable"}');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(res.headers)).not.toContain('hunter2');
    expect(reached).toBe(before);
    expect(events).toMatchObject([{ type: 'rejected', code: 'key_lookup_unavailable', keyId: KEY_ID }]);
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });
});

describe('failureReply', () => {
  it('puts the challenge on 401 only', () => {
    const base = { ok: false as const, publicCode: 'insecure_transport' as const, code: 'insecure_transport' as const };
    expect(failureReply({ ...base, status: 403 }).headers['www-authenticate']).toBeUndefined();
    expect(failureReply({ ...base, status: 401 }).headers['www-authenticate']).toBe('Sigil');
    const unavailable = { ok: false as const, code: 'key_lookup_unavailable' as const, publicCode: 'key_lookup_unavailable' as const, status: 503 };
    expect(failureReply(unavailable)).toMatchObject({ status: 503, body: '{"error":"key_lookup_unavailable"}' });
    expect(failureReply(unavailable).headers['www-authenticate']).toBeUndefined();
  });
});
