// The node adapter over node:http2, TLS (a self-signed certificate) and h2c
// on loopback, signed with core's signRequest and sent with http2.connect.
// HTTP/2 has no Host header: `host` is the :authority pseudo-header (SPEC.md
// section 2.3).
import {
  connect,
  createSecureServer,
  createServer,
  type ClientHttp2Session,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { selfSignedCert } from './helpers/servers.js';
import { KEY, KEY_ID, signedHeaders } from './helpers/sign.js';

const tls = selfSignedCert();
const servers: Array<Http2Server | Http2SecureServer> = [];
const sessions: ClientHttp2Session[] = [];
const origins: Record<'tls' | 'h2c', string> = { tls: '', h2c: '' };

beforeAll(async () => {
  const listener = sigilListener<Http2ServerRequest, Http2ServerResponse>(
    createVerifier({ keys: { [KEY_ID]: { key: KEY, scope: { pathPrefixes: ['/orders'] } } }, nonceStore: new MemoryNonceStore(), maxBodyBytes: 64 }),
    (req, res, { keyId, body }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keyId, target: req.url, body: Buffer.from(body).toString('utf8'), secure: req.socket && 'encrypted' in req.socket }));
    },
  );
  for (const [name, server] of [
    ['tls', createSecureServer({ key: tls.key, cert: tls.cert }, listener)],
    ['h2c', createServer(listener)],
  ] as const) {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origins[name] = `${name === 'tls' ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
});
afterAll(async () => {
  for (const session of sessions) session.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

interface Sent {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** Signs over `host` = the :authority the client sends, then sends with http2.connect (no Host header). */
function send(origin: string, target: string, body: string, tamper: Record<string, string> = {}, sentBody = body): Promise<Sent> {
  const session = connect(origin, { ca: tls.cert });
  sessions.push(session);
  const authority = new URL(origin).host;
  const { host: _host, ...headers } = signedHeaders({ method: 'POST', target, host: authority, body, headers: { 'content-type': 'text/plain' } });
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': target, ...headers, ...tamper });
    let status = 0;
    let got: Record<string, unknown> = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => ((status = Number(h[':status'])), (got = h)));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ status, headers: got, body: text }));
    stream.on('error', reject);
    stream.end(sentBody);
  });
}

describe.each(['tls', 'h2c'] as const)('node adapter over HTTP/2 (%s)', (mode) => {
  it('verifies a request signed over host = :authority, body and target included', async () => {
    const res = await send(origins[mode], '/orders?x=1', 'hello');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ keyId: KEY_ID, target: '/orders?x=1', body: 'hello', secure: mode === 'tls' });
  });

  it('refuses a tampered body and a request outside the key scope, with the usual answer', async () => {
    const tampered = await send(origins[mode], '/orders', 'hello', {}, 'hellO');
    expect([tampered.status, tampered.body]).toEqual([401, '{"error":"signature_invalid"}']);
    const scoped = await send(origins[mode], '/admin', 'x');
    expect([scoped.status, scoped.body]).toEqual([403, '{"error":"key_scope_denied"}']);
  });

  it('attacker: a Host header that differs from :authority is refused', async () => {
    const res = await send(origins[mode], '/orders', 'hello', { host: 'evil.example' });
    expect([res.status, res.body, res.headers['www-authenticate']]).toEqual([401, '{"error":"signature_invalid"}', 'Sigil']);
  });

  it('an oversize body is refused with 413 without a Connection header (forbidden in HTTP/2)', async () => {
    const res = await send(origins[mode], '/orders', 'x'.repeat(300_000));
    expect([res.status, res.body]).toEqual([413, '{"error":"body_too_large"}']);
    expect(res.headers.connection).toBeUndefined();
  });
});
