// createSigningFetch({ verifyResponses }) (SPEC.md section 11.6) against a
// real node:http server on 127.0.0.1 that signs its answers with core's
// signResponse, reached through a tampering proxy. Each attack is named and
// refused by its code; the caller never sees the forged response.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateKey, isSigilError, signResponse, type SigilKey } from '@sigil/core';
import { createSigningFetch, type SigningEvent } from '@sigil/fetch';
import { startServer, type Seen, type TestServer } from './helpers.js';

const key: SigilKey = generateKey();

/** The server's answer to a verified request, signed and bound to it. */
function answer(seen: Seen, res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  const headers: Array<[string, string]> = [['content-type', 'application/json'], ...Object.entries(extra)];
  if (!seen.verified?.ok) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"signature_invalid"}');
    return;
  }
  const { header } = signResponse({ status, headers, body: Buffer.from(body) }, key, {
    request: seen.verified.params,
    keyId: seen.verified.keyId,
    timestamp: Math.floor(Date.now() / 1000),
    headers: Object.keys(extra),
  });
  res.writeHead(status, [...headers, ['sigil-response-signature', header]].flat()).end(body);
}

type Attack = 'none' | 'status' | 'body' | 'header' | 'location' | 'strip' | 'replay' | 'unsigned' | 'clock';
let attack: Attack = 'none';
let captured: { headers: http.IncomingHttpHeaders; body: Buffer<ArrayBufferLike> } | undefined;

/** A man in the middle: forwards to the origin server and changes the answer as `attack` says. */
async function startProxy(upstream: TestServer): Promise<{ origin: string; close(): Promise<void> }> {
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (attack === 'unsigned') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"balance":1000000}');
      if (attack === 'clock') {
        return void res.writeHead(401, { 'content-type': 'application/json', 'sigil-server-time': String(Math.floor(Date.now() / 1000) + 200) }).end('{"error":"timestamp_out_of_window"}');
      }
      const out = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          let status = up.statusCode!;
          const headers = { ...up.headers };
          let data: Buffer<ArrayBufferLike> = Buffer.concat(body);
          if (attack === 'status') status = status === 200 ? 201 : 200;
          if (attack === 'body') data = Buffer.from('{"balance":1000000}');
          if (attack === 'header') headers['content-type'] = 'text/html';
          if (attack === 'location' && headers.location) headers.location = '/evil';
          if (attack === 'strip') delete headers['sigil-response-signature'];
          if (attack === 'none') captured = { headers, body: data };
          if (attack === 'replay' && captured) {
            headers['sigil-response-signature'] = captured.headers['sigil-response-signature'];
            data = captured.body;
          }
          delete headers['transfer-encoding'];
          headers['content-length'] = String(data.length);
          res.writeHead(status, headers).end(data);
        });
      });
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    }),
  };
}

let server: TestServer;
let proxy: { origin: string; close(): Promise<void> };
let events: SigningEvent[];
beforeAll(async () => {
  server = await startServer(key, {
    route: (seen, res) => {
      if (seen.url === '/go') return answer(seen, res, 302, '{}', { location: '/account' });
      return answer(seen, res, 200, '{"balance":10}');
    },
  });
  proxy = await startProxy(server);
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});
beforeEach(() => {
  attack = 'none';
  events = [];
  server.seen.length = 0;
});

const client = (verifyResponses: boolean | { require?: string[]; maxBodyBytes?: number } = true) =>
  createSigningFetch({ keyId: 'client-1', secret: key, origins: [proxy.origin], verifyResponses, onEvent: (e) => events.push(e) });

async function refused(code: string, path = '/account', verifyResponses: Parameters<typeof client>[0] = true): Promise<unknown> {
  const error = await client(verifyResponses)(`${proxy.origin}${path}`).then(() => undefined, (e: unknown) => e);
  expect(isSigilError(error) && error.code).toBe(code);
  // The error carries the code only: no forged body or header value.
  expect(JSON.stringify(error) + String(error)).not.toMatch(/1000000|evil|text\/html/);
  expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([code]);
  return error;
}

describe('verifyResponses: a signed request gets a signed response the signing fetch verifies', () => {
  it('hands over the verified response, body and headers intact', async () => {
    const res = await client()(`${proxy.origin}/account`);
    expect([res.status, await res.json(), res.headers.get('content-type')]).toEqual([200, { balance: 10 }, 'application/json']);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified']);
  });

  it('verifies a redirect (its Location signed) before following it, and the final answer', async () => {
    const res = await client()(`${proxy.origin}/go`);
    expect([res.status, res.redirected, await res.json()]).toEqual([200, true, { balance: 10 }]);
    expect(events.filter((e) => e.type === 'response-verified').map((e) => e.status)).toEqual([302, 200]);
  });

  it('refuses a body over verifyResponses.maxBodyBytes: body_too_large', async () => {
    await refused('body_too_large', '/account', { maxBodyBytes: 4 });
  });

  it('refuses a response that does not sign a required header: header_not_signed', async () => {
    await refused('header_not_signed', '/account', { require: ['x-balance-currency'] });
  });
});

describe('attacks through a tampering proxy, each refused by name', () => {
  it('changed status: response_signature_invalid', async () => {
    attack = 'status';
    await refused('response_signature_invalid');
  });
  it('changed body: response_signature_invalid', async () => {
    attack = 'body';
    await refused('response_signature_invalid');
  });
  it('changed signed header (content-type): response_signature_invalid', async () => {
    attack = 'header';
    await refused('response_signature_invalid');
  });
  it('changed Location: response_signature_invalid, and the forged target is never requested', async () => {
    attack = 'location';
    await refused('response_signature_invalid', '/go');
    expect(server.seen.map((s) => s.url)).toEqual(['/go']);
  });
  it('a response replayed from another request: response_signature_invalid', async () => {
    await client()(`${proxy.origin}/account`);
    events = [];
    attack = 'replay';
    await refused('response_signature_invalid');
  });
  it('stripped signature: response_signature_missing', async () => {
    attack = 'strip';
    await refused('response_signature_missing');
  });
  it('downgrade to an unsigned answer: response_signature_missing', async () => {
    attack = 'unsigned';
    await refused('response_signature_missing');
  });
  it('an unsigned Sigil-Server-Time is never learnt: no clock retry (clock pre-play)', async () => {
    attack = 'clock';
    await refused('response_signature_missing');
    expect(events.map((e) => e.type)).toEqual(['signed', 'refused']);
  });
  it('without verifyResponses the forged body reaches the caller (the attack is real)', async () => {
    attack = 'body';
    const res = await client(false)(`${proxy.origin}/account`);
    expect(await res.json()).toEqual({ balance: 1000000 });
  });
});

describe('verifyResponses options', () => {
  it('is refused with a bad shape, naming the option; acceptSignature needs the rfc9421 scheme', () => {
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: ['https://a.example'], scheme: 'rfc9421', verifyResponses: true })).not.toThrow();
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: ['https://a.example'], acceptSignature: true })).toThrow(/acceptSignature/);
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: ['https://a.example'], verifyResponses: { require: ['bad name'] } })).toThrow(/verifyResponses/);
  });
});
