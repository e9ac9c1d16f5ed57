// Attacks on the transport: cleartext HTTP (anyone on the path reads and
// races the request) and SSL stripping, where a client or a spoofed
// X-Forwarded-Proto pretends a plain-HTTP request came over TLS.
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigningFetch } from '@sigil/fetch';
import type { VerifierOptions } from '@sigil/verify';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../packages/fetch/test/helpers.js';
import { KEY, KEY_ID } from './helpers/keys.js';
import { closeAll, signingClient, startStack, unixAgent, type Stack } from './helpers/stack.js';

afterAll(closeAll);

// A peer that is not loopback, without sending traffic to any address but
// loopback: a Unix socket. The connection is real and has no IP address, so
// the verifier's loopback exemption cannot apply to it.
let socketDir: string;
let sockets = 0;
const nextSocket = () => join(socketDir, `peer-${++sockets}.sock`);
beforeAll(async () => {
  socketDir = await mkdtemp(join(tmpdir(), 'sigil-sec-'));
});
afterAll(async () => {
  await rm(socketDir, { recursive: true, force: true });
});

/** A stack on a Unix socket, and the signing client that reaches it over plain HTTP. */
async function unixPeerStack(verifier?: Partial<VerifierOptions>) {
  const path = nextSocket();
  const stack = await startStack({ socketPath: path, ...(verifier ? { verifier } : {}) });
  const dispatcher = unixAgent(path);
  const client = signingClient(stack.origin, {
    allowInsecureHttp: true,
    fetch: (url: string, init: object) => undiciFetch(url, { ...init, dispatcher }),
  });
  return { stack, client };
}

describe('attack: cleartext HTTP, client side', () => {
  let stack: Stack;
  let connections = 0;
  /** Resolves every host name to the loopback server, so a refusal is the client's own. */
  let routed: Agent;

  beforeAll(async () => {
    stack = await startStack();
    stack.server.on('connection', () => connections++);
    const port = Number(new URL(stack.origin).port);
    routed = new Agent({
      connect: (_options, callback) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => callback(null, socket)).once('error', (error) => callback(error, null));
      },
    });
  });
  afterAll(() => routed.close());

  const client = (extra: object = {}) =>
    createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: '*', fetch: (url, init: object) => undiciFetch(url, { ...init, dispatcher: routed }), ...extra });

  it('refuses http:// to a remote host before opening a connection (insecure_transport)', async () => {
    const port = new URL(stack.origin).port;
    await expect(client()(`http://api.sigil.test:${port}/v1/me`)).rejects.toMatchObject({ code: 'insecure_transport' });
    await expect(client()(`http://api.sigil.test:${port}/v1/orders`, { method: 'POST', body: 'x' })).rejects.toMatchObject({ code: 'insecure_transport' });
    expect(connections).toBe(0);
  });

  it('control: the same URL reaches the server once plain HTTP is explicitly allowed', async () => {
    const port = new URL(stack.origin).port;
    const res = await client({ allowInsecureHttp: true })(`http://api.sigil.test:${port}/v1/me`);
    expect(res.status).toBe(200);
    expect(connections).toBe(1);
  });

  it('refuses to be configured for a plain-HTTP remote origin', () => {
    expect(() => createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: ['http://api.sigil.test'] })).toThrow(/options\.origins\.0 is refused/);
  });

  it('signs over HTTPS with certificate checks on (a self-signed server is trusted only through its CA)', async () => {
    const tls = await makeCertificate();
    const secure = await startStack({ tls });
    expect((await signingClient(secure.origin, {}, tls.cert)(`${secure.origin}/v1/me`)).status).toBe(200);
    await expect(signingClient(secure.origin)(`${secure.origin}/v1/me`)).rejects.toThrow(/fetch failed/);
  });
});

describe('attack: cleartext HTTP, server side', () => {
  describe('from a peer that is not loopback (a Unix-socket connection)', () => {
    it('refuses a correctly signed plain-HTTP request (403 insecure_transport)', async () => {
      const { stack, client } = await unixPeerStack();
      const res = await client(`${stack.origin}/v1/me`);
      expect([res.status, await res.json()]).toEqual([403, { error: 'insecure_transport' }]);
      expect(stack.accepted).toHaveLength(0);
    });

    it('control: the same request is accepted by a verifier told to allow plain HTTP', async () => {
      const { stack, client } = await unixPeerStack({ allowInsecureHttp: true });
      expect((await client(`${stack.origin}/v1/me`)).status).toBe(200);
    });
  });

  it('behind a trusted proxy, a request the proxy did not mark https is refused, loopback or not', async () => {
    const proxied = await startStack({ verifier: { trustProxy: true } });
    const send = (proto?: string) =>
      signingClient(proxied.origin)(`${proxied.origin}/v1/me`, proto === undefined ? {} : { headers: { 'x-forwarded-proto': proto } });
    for (const proto of [undefined, 'http', 'https, http', 'HTTP']) {
      const res = await send(proto);
      expect([proto, res.status, await res.json()]).toEqual([proto, 403, { error: 'insecure_transport' }]);
    }
    expect((await send('https')).status).toBe(200);
  });
});

describe('attack: SSL stripping through a spoofed X-Forwarded-Proto', () => {
  describe('from a peer that is not loopback (a Unix-socket connection)', () => {
    it('without trustProxy, X-Forwarded-Proto: https over plain HTTP is ignored and refused', async () => {
      const { stack, client } = await unixPeerStack();
      for (const spoof of ['https', 'https, https']) {
        const res = await client(`${stack.origin}/v1/me`, { headers: { 'x-forwarded-proto': spoof, forwarded: 'proto=https' } });
        expect([res.status, await res.json()]).toEqual([403, { error: 'insecure_transport' }]);
      }
      expect(stack.events.map((e) => e.code)).toEqual(['insecure_transport', 'insecure_transport']);
    });
  });

  it('with trustProxy, only a value of https on every hop is believed', async () => {
    const stack = await startStack({ verifier: { trustProxy: true } });
    const client = signingClient(stack.origin);
    const statuses = [];
    for (const value of ['https, http', 'http, https', 'https,', 'https']) {
      statuses.push((await client(`${stack.origin}/v1/me`, { headers: { 'x-forwarded-proto': value } })).status);
    }
    expect(statuses).toEqual([403, 403, 403, 200]);
  });
});
