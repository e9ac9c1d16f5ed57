// @sigil/verify/express with Express 5 over a real socket.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilExpress } from '../src/adapters/express/index.js';
import type { Next, Req, Res } from './helpers/express-types.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, signedHeaders } from './helpers/sign.js';

const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes: 1024 });
const errors = (err: Error & { status?: number }, _req: Req, res: Res, _next: Next): void => {
  res.status(err.status ?? 500).json({ message: err.message });
};

let server: Server;
let host: string;
let misordered: Server;
let misorderedHost: string;

beforeAll(async () => {
  const app = express();
  app.use(sigilExpress(verifier));
  app.use(express.json()); // after the verifier: sees a finished stream and steps aside
  app.post('/orders', (req: Req, res: Res) => {
    res.json({ keyId: req.sigil?.keyId, body: req.body, raw: req.rawBody?.toString('utf8') });
  });
  app.all('/any', (req: Req, res: Res) => void res.json({ method: req.method }));
  app.use(errors);
  server = createServer(app);
  host = await listen(server);

  const wrong = express();
  wrong.use(express.json());
  // Like Express 4's parsers on a bodiless request: req.body set, stream untouched.
  wrong.use((req: Req, _res: Res, next: Next) => ((req.body ??= {}), next()));
  wrong.use(sigilExpress(verifier));
  wrong.post('/orders', (_req: Req, res: Res) => void res.json({ reached: true }));
  wrong.get('/bodiless', (req: Req, res: Res) => void res.json({ body: req.body }));
  wrong.use(errors);
  misordered = createServer(wrong);
  misorderedHost = await listen(misordered);
});
afterAll(async () => {
  await close(server);
  await close(misordered);
});

function post(target: string, body: string, contentType: string, at = host) {
  const headers = signedHeaders({ method: 'POST', target, host: at, body, headers: { 'content-type': contentType } });
  return request(`http://${at}${target}`, { method: 'POST', headers, body });
}

describe('express adapter (sigilExpress)', () => {
  it('verifies the raw bytes, then exposes req.rawBody and the parsed JSON body', async () => {
    const body = '{ "qty" : 1 }';
    const res = await post('/orders', body, 'application/json');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keyId: KEY_ID, body: { qty: 1 }, raw: body });
  });

  it('parses urlencoded and text bodies too', async () => {
    const form = await post('/orders', 'a=1&b=2&a=3', 'application/x-www-form-urlencoded');
    expect(await form.body.json()).toMatchObject({ body: { a: ['1', '3'], b: '2' } });
    const text = await post('/orders', 'hello', 'text/plain; charset=utf-8');
    expect(await text.body.json()).toMatchObject({ body: 'hello' });
    const latin1 = await post('/orders', 'caf\xe9', 'text/plain; charset=iso-8859-1');
    expect(await latin1.body.json()).toEqual({ keyId: KEY_ID, raw: 'caf\xe9' }); // no req.body: the charset is not UTF-8
  });

  it('passes bad JSON in a validly signed body to the error handler as 400', async () => {
    const res = await post('/orders', '{nope', 'application/json');
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toEqual({ message: 'the verified body is not valid JSON' });
  });

  it('refuses a tampered body with the generic 401', async () => {
    const headers = signedHeaders({ method: 'POST', target: '/orders', host, body: '{"qty":1}', headers: { 'content-type': 'application/json' } });
    const res = await request(`http://${host}/orders`, { method: 'POST', headers, body: '{"qty":9}' });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({ error: 'signature_invalid' });
  });

  it('protects every method, HEAD and OPTIONS included, and unknown routes', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT']) {
      for (const target of ['/any', '/nowhere']) {
        const denied = await request(`http://${host}${target}`, { method: method as 'GET' });
        expect(denied.statusCode, `${method} ${target}`).toBe(401);
        await denied.body.dump();
      }
      const ok = await request(`http://${host}/any`, { method: method as 'GET', headers: signedHeaders({ method, target: '/any', host }) });
      expect(ok.statusCode, method).toBe(200);
      await ok.body.dump();
    }
  });

  it('refuses an oversize body with 413', async () => {
    const res = await post('/orders', JSON.stringify({ pad: 'x'.repeat(2000) }), 'application/json');
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toEqual({ error: 'body_too_large' });
  });

  it('fails loudly when a body parser ran first, never verifying an empty body', async () => {
    const res = await post('/orders', '{"qty":1}', 'application/json', misorderedHost);
    expect(res.statusCode).toBe(500);
    expect(await res.body.json()).toEqual({
      message: expect.stringMatching(/body was read before sigilExpress\(\) ran; mount it before express\.json\(\)/),
    });
    // A parser that only set req.body on a bodiless request read nothing: verification goes on.
    const headers = signedHeaders({ method: 'GET', target: '/bodiless', host: misorderedHost });
    const bodiless = await request(`http://${misorderedHost}/bodiless`, { headers });
    expect(bodiless.statusCode).toBe(200);
    expect(await bodiless.body.json()).toEqual({ body: {} });
  });
});
