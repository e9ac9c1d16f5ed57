// issue 15: plain-HTTP local development answered 403 insecure_transport
// with no hint why. The event now says why and what to change (always), the
// response body says it in debug mode only; neither echoes a received value.
// Over real sockets: a Fetch handler that was not given the peer address
// (@hono/node-server without `connection`), a node server behind trustProxy
// whose proxy says http; without a socket, a peer that is not loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { createVerifier, MemoryNonceStore, type VerifierEvent, type VerifierOptions } from '../src/index.js';
import { signed } from './helpers/requests.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, signedHeaders } from './helpers/sign.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map(close)));

function verifier(events: VerifierEvent[], extra: Partial<VerifierOptions> = {}) {
  return createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), onEvent: (e) => void events.push(e), ...extra });
}

async function fetchHandlerOrigin(events: VerifierEvent[], extra: Partial<VerifierOptions> = {}): Promise<string> {
  const handler = sigilFetchHandler(verifier(events, extra), () => new Response('ok'));
  return new Promise((resolve) => {
    const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`127.0.0.1:${info.port}`));
    servers.push(server as Server);
  });
}

async function post(host: string, extra: Record<string, string> = {}) {
  const headers = { ...signedHeaders({ method: 'POST', target: '/orders', host, body: '{}', headers: { 'content-type': 'application/json' } }), ...extra };
  const res = await request(`http://${host}/orders`, { method: 'POST', headers, body: '{}' });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('why insecure_transport', () => {
  it('a Fetch handler that does not know the peer address: the event names remoteAddress and allowInsecureHttp; the body stays generic', async () => {
    const events: VerifierEvent[] = [];
    const host = await fetchHandlerOrigin(events);
    expect(await post(host)).toEqual({ status: 403, body: { error: 'insecure_transport' } });
    expect(events.map((e) => [e.code, e.hint])).toEqual([['insecure_transport', expect.stringMatching(/peer address is unknown.*remoteAddress: Bun server\.requestIP\(req\), Deno info\.remoteAddr.*allowInsecureHttp/)]]);
  });

  it('in debug mode the response body carries the hint too', async () => {
    const events: VerifierEvent[] = [];
    const host = await fetchHandlerOrigin(events, { debug: true });
    const answer = await post(host);
    expect(answer).toEqual({ status: 403, body: { error: 'insecure_transport', hint: events[0]!.hint } });
  });

  it('behind trustProxy, a proxy that says http: the hint names X-Forwarded-Proto, never the value received', async () => {
    const events: VerifierEvent[] = [];
    const server = createServer(sigilListener(verifier(events, { trustProxy: true }), (_req, res) => res.end('ok')));
    servers.push(server);
    const host = await listen(server);
    expect((await post(host, { 'x-forwarded-proto': 'http-MARKER' })).status).toBe(403);
    expect(events[0]!.hint).toMatch(/^trustProxy is set and X-Forwarded-Proto does not say https/);
    expect(events[0]!.hint).not.toContain('MARKER');
  });

  it('a peer that is not loopback: serve HTTPS, trustProxy behind a proxy, or allowInsecureHttp', async () => {
    const events: VerifierEvent[] = [];
    const result = await verifier(events).verify(signed({}, { remoteAddress: '203.0.113.7' }));
    expect(result).toMatchObject({ ok: false, code: 'insecure_transport' });
    expect(result).not.toHaveProperty('hint'); // debug off: the failure holds only what the answer may show
    expect(events[0]!.hint).toMatch(/^plain HTTP from a peer that is not loopback/);
    expect(events[0]!.hint).not.toContain('203.0.113.7');
  });
});
