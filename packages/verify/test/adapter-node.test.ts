// @sigil/verify/node over real sockets: node:http and node:https servers on
// 127.0.0.1, requests signed with core's signRequest and sent with undici.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { close, head, listen, rawRequest, selfSignedCert } from './helpers/servers.js';
import { breakMac, KEY, KEY_ID, nowSeconds } from './helpers/sign.js';
import { signedHeaders } from './helpers/sign.js';

const MAX_BODY = 64 * 1024;
const echo = sigilListener(
  createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes: MAX_BODY }),
  (req, res, { keyId, body }) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keyId, method: req.method, body: Buffer.from(body).toString('utf8') }));
  },
);

let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer(echo);
  host = await listen(server);
});
afterAll(() => close(server));

const send = (method: string, target: string, headers: Record<string, string> | string[], body?: string) =>
  request(`http://${host}${target}`, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });

describe('node adapter (sigilListener)', () => {
  it('hands a verified request and its exact body bytes to the listener', async () => {
    const body = '{"qty":1,"note":"é"}';
    const res = await send('POST', '/orders?x=1', signedHeaders({ method: 'POST', target: '/orders?x=1', host, body }), body);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ keyId: KEY_ID, method: 'POST', body });
  });

  it('protects every method, HEAD and OPTIONS included', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'PATCH']) {
      const ok = await send(method, '/x', signedHeaders({ method, target: '/x', host }));
      expect(ok.statusCode, method).toBe(200);
      await ok.body.dump();
      const denied = await send(method, '/x', { host });
      expect(denied.statusCode, method).toBe(401);
      const text = await denied.body.text();
      if (method !== 'HEAD') expect(JSON.parse(text)).toEqual({ error: 'signature_missing' });
    }
  });

  it('answers an unknown key exactly like a bad MAC', async () => {
    const unknown = await send('GET', '/x', signedHeaders({ method: 'GET', target: '/x', host, options: { keyId: 'nobody' } }));
    const signed = signedHeaders({ method: 'GET', target: '/x', host });
    const forged = await send('GET', '/x', { ...signed, 'sigil-signature': breakMac(signed['sigil-signature']!) });
    const strip = (h: Record<string, unknown>) => ({ ...h, date: undefined });
    expect(unknown.statusCode).toBe(401);
    expect(forged.statusCode).toBe(401);
    expect(strip(unknown.headers)).toEqual(strip(forged.headers));
    expect(await unknown.body.text()).toBe('{"error":"signature_invalid"}');
    expect(await forged.body.text()).toBe('{"error":"signature_invalid"}');
  });

  it('sends Sigil-Server-Time on a timestamp rejection, and nothing received back', async () => {
    const headers = signedHeaders({ method: 'GET', target: '/x', host, options: { timestamp: nowSeconds() - 3600 } });
    const res = await send('GET', '/x', headers);
    expect(res.statusCode).toBe(401);
    expect(Math.abs(Number(res.headers['sigil-server-time']) - nowSeconds())).toBeLessThanOrEqual(2);
    const text = await res.body.text();
    expect(text).toBe('{"error":"timestamp_out_of_window"}');
    expect(JSON.stringify(res.headers)).not.toContain(headers['sigil-signature']!.slice(-20));
  });

  it('reads every field line from rawHeaders: two Sigil-Signature lines are malformed', async () => {
    const headers = signedHeaders({ method: 'GET', target: '/x', host });
    const sig = headers['sigil-signature']!;
    const res = await send('GET', '/x', ['host', host, 'sigil-signature', sig, 'sigil-signature', sig]);
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({ error: 'signature_header_malformed' });
  });

  it('refuses a declared oversize body before any of it is sent', async () => {
    const headers = signedHeaders({ method: 'POST', target: '/upload', host, headers: { 'content-length': String(1e9) } });
    const response = await rawRequest(host, head('POST', '/upload', headers));
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response.toLowerCase()).toContain('connection: close');
  });

  it('stops reading a chunked body as soon as it passes maxBodyBytes', async () => {
    const headers = signedHeaders({ method: 'POST', target: '/upload', host, headers: { 'transfer-encoding': 'chunked' } });
    const chunk = 'x'.repeat(16 * 1024);
    // Sends 5 chunks (80 KiB > 64 KiB) and never ends the body: only an early answer completes this.
    const response = await rawRequest(host, head('POST', '/upload', headers), (socket) => {
      for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('answers an unsigned upload at once, without reading it', async () => {
    const response = await rawRequest(host, head('PUT', '/upload', { host, 'content-length': 1e9 }));
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response.toLowerCase()).toContain('connection: close');
  });

  it('refuses an overlong signature header, and Node refuses oversize header blocks', async () => {
    const headers = signedHeaders({ method: 'GET', target: '/x', host });
    const long = await rawRequest(host, head('GET', '/x', { ...headers, 'sigil-signature': `${headers['sigil-signature']};${'a'.repeat(6000)}` }));
    expect(long).toMatch(/^HTTP\/1\.1 401 /);
    const huge = await rawRequest(host, head('GET', '/x', { ...headers, 'x-pad': 'a'.repeat(100_000) }));
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('node adapter, key resolver failure', () => {
  it('answers a bare 500 when the key resolver answers with something that is not a key, and reaches no listener', async () => {
    let reached = false;
    const failing = createVerifier({ keys: () => Promise.resolve('not a key' as never), nonceStore: new MemoryNonceStore() });
    const broken = createServer(sigilListener(failing, (_req, res) => ((reached = true), res.end())));
    const at = await listen(broken);
    const res = await request(`http://${at}/x`, { headers: signedHeaders({ method: 'GET', target: '/x', host: at }) });
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('');
    expect(reached).toBe(false);
    await close(broken);
  });
});

describe('node adapter transport', () => {
  const tls = selfSignedCert();
  const proxied = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), trustProxy: true });
  const listener = sigilListener(proxied, (_req, res) => res.end('ok'));
  const httpsServer = createHttpsServer(tls, listener);
  const plainServer = createServer(listener);
  const agent = new Agent({ connect: { ca: tls.cert } });
  let httpsHost: string;
  let plainHost: string;

  beforeAll(async () => {
    httpsHost = await listen(httpsServer as unknown as Server);
    plainHost = await listen(plainServer);
  });
  afterAll(async () => {
    await agent.close();
    await close(httpsServer as unknown as Server);
    await close(plainServer);
  });

  it('accepts a TLS connection (socket.encrypted)', async () => {
    const res = await request(`https://${httpsHost}/x`, { dispatcher: agent, headers: signedHeaders({ method: 'GET', target: '/x', host: httpsHost }) });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
  });

  it('with trustProxy, refuses plain HTTP even from loopback unless X-Forwarded-Proto is https', async () => {
    const headers = signedHeaders({ method: 'GET', target: '/x', host: plainHost });
    const plain = await request(`http://${plainHost}/x`, { headers });
    expect(plain.statusCode).toBe(403);
    expect(await plain.body.json()).toEqual({ error: 'insecure_transport' });
    const forwarded = await request(`http://${plainHost}/x`, { headers: { ...headers, 'x-forwarded-proto': 'https' } });
    expect(forwarded.statusCode).toBe(200);
    await forwarded.body.dump();
  });
});
