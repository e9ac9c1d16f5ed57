// @sigil/verify/fastify with Fastify 5 over a real socket.
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilFastify } from '../src/adapters/fastify/index.js';
import { KEY, KEY_ID, signedHeaders } from './helpers/sign.js';

let app: FastifyInstance;
let host: string;

beforeAll(async () => {
  app = Fastify();
  await app.register(sigilFastify, {
    verifier: createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes: 1024 }),
  });
  app.post('/orders', async (req) => ({ keyId: req.sigil?.keyId, body: req.body }));
  app.get('/x', async () => ({ ok: true }));
  app.options('/x', async () => ({ ok: true }));
  // A route in an encapsulated child context is protected as well.
  await app.register(async (child) => {
    child.put('/child', async (req) => ({ body: req.body }));
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  host = new URL(address).host;
});
afterAll(() => app.close());

function send(method: string, target: string, body?: string, contentType = 'application/json') {
  const headers = signedHeaders({ method, target, host, body: body ?? '', headers: body === undefined ? {} : { 'content-type': contentType } });
  return request(`http://${host}${target}`, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });
}

describe('fastify adapter (sigilFastify)', () => {
  it("verifies the raw bytes, then Fastify's own parser builds request.body from them", async () => {
    const res = await send('POST', '/orders', '{ "qty": 1 }');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keyId: KEY_ID, body: { qty: 1 } });
  });

  it('protects routes of child contexts', async () => {
    const ok = await send('PUT', '/child', '{"a":true}');
    expect(await ok.body.json()).toEqual({ body: { a: true } });
    const denied = await request(`http://${host}/child`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(denied.statusCode).toBe(401);
    expect(await denied.body.json()).toEqual({ error: 'signature_missing' });
  });

  it('protects every method, HEAD and OPTIONS included, and unknown routes', async () => {
    for (const [method, target] of [['GET', '/x'], ['HEAD', '/x'], ['OPTIONS', '/x'], ['DELETE', '/x'], ['GET', '/nowhere'], ['OPTIONS', '/nowhere']] as const) {
      const denied = await request(`http://${host}${target}`, { method });
      expect(denied.statusCode, `${method} ${target}`).toBe(401);
      await denied.body.dump();
    }
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const ok = await send(method, '/x');
      expect(ok.statusCode, method).toBe(200);
      await ok.body.dump();
    }
  });

  it('refuses a tampered body and an oversize one', async () => {
    const headers = signedHeaders({ method: 'POST', target: '/orders', host, body: '{"qty":1}', headers: { 'content-type': 'application/json' } });
    const tampered = await request(`http://${host}/orders`, { method: 'POST', headers, body: '{"qty":2}' });
    expect(tampered.statusCode).toBe(401);
    expect(await tampered.body.json()).toEqual({ error: 'signature_invalid' });
    const big = await send('POST', '/orders', JSON.stringify({ pad: 'x'.repeat(2000) }));
    expect(big.statusCode).toBe(413);
    expect(await big.body.json()).toEqual({ error: 'body_too_large' });
  });

  it('refuses to register without a verifier', async () => {
    const bare = Fastify();
    await expect(bare.register(sigilFastify, {} as never)).rejects.toThrow(/sigilFastify: expected a verifier/);
    await bare.close();
  });
});
