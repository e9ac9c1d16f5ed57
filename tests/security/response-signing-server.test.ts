// Attacks on a server that signs its responses (issue 14, SPEC.md section
// 11.5), driven through the real signing fetch (`verifyResponses: true`)
// against a real sigilListener on 127.0.0.1, with an on-path attacker
// between them (a wrapper around the transport the client uses):
// - a signed failure moved from request A onto request B;
// - a changed Sigil-Server-Time in a signed 401 (clock pre-play);
// - a signed 401 stripped to an unsigned one (downgrade);
// and what the server itself must not do: sign an answer it cannot bind,
// echo the request's nonce or MAC, or omit Accept-Signature when asked.
import { createServer, type Server } from 'node:http';
import { parseSignatureHeader, signRequest } from '@sigil/core';
import { parseDictionary } from '@sigil/core/rfc9421';
import { createSigningFetch, type SigningEvent } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyingClient } from '../../packages/verify/test/helpers/verifying-client.js';
import { expectNoSecrets, KEY, KEY_ID } from './helpers/keys.js';

let server: Server;
let origin: string;
let serverOffsetMs = 0;
let handled = 0;

beforeAll(async () => {
  const verifier = createVerifier({
    keys: { [KEY_ID]: KEY },
    nonceStore: new MemoryNonceStore(),
    schemes: ['v1', 'rfc9421'],
    rfc9421: { acceptSignature: true },
    clock: () => Date.now() + serverOffsetMs,
  });
  server = createServer(
    sigilListener(
      verifier,
      (_req, res) => {
        handled += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"transfer":"accepted"}');
      },
      { signResponses: true },
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

type Tamper = (response: Response) => Response | Promise<Response>;

/** The signing fetch over a transport an attacker controls: `tamper` rewrites each answer. */
function client(tamper: Tamper, events: SigningEvent[] = []) {
  return verifyingClient(origin, {
    keyId: KEY_ID,
    key: KEY,
    events,
    fetch: async (url: string, init: object) => tamper((await undiciFetch(url, init)) as unknown as Response),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
  return 'no refusal';
}

function copy(response: Response, body: BodyInit | null, change: (headers: Headers) => void): Response {
  const headers = new Headers(response.headers);
  change(headers);
  return new Response(body, { status: response.status, headers });
}

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":100}' };

describe('attack: a signed failure from request A delivered for request B', () => {
  it('a signed nonce_replayed answer to A, swapped in for B, is refused (response_signature_invalid)', async () => {
    // The attacker replays A to get the server's signed 401 bound to A.
    const host = new URL(origin).host;
    const headers = { host, 'content-type': 'application/json' };
    const body = new TextEncoder().encode('{"amount":1}');
    const a = signRequest({ method: 'POST', target: '/transfer', headers: Object.entries(headers), body }, KEY, { keyId: KEY_ID, timestamp: Math.floor(Date.now() / 1000), headers: Object.keys(headers) });
    const sendA = () => request(`${origin}/transfer`, { method: 'POST', headers: { ...headers, 'sigil-signature': a.header }, body });
    await (await sendA()).body.text();
    const replayed = await sendA();
    expect(replayed.statusCode).toBe(401);
    expect(replayed.headers['sigil-response-signature']).toBeDefined();
    const captured = { headers: new Headers(replayed.headers as Record<string, string>), body: await replayed.body.text() };
    // ...and answers B, which the server accepted, with it: "rejected, retry".
    const before = handled;
    const code = await codeOf(client(async (real) => (await real.text(), new Response(captured.body, { status: 401, headers: captured.headers })))(`${origin}/transfer`, post));
    expect(code).toBe('response_signature_invalid');
    expect(handled).toBe(before + 1);
  });
});

/** Runs `run` against a server whose clock is 10 minutes ahead of the client's; the events the client emitted. */
async function tenMinutesAhead(run: (events: SigningEvent[]) => Promise<void>): Promise<string[]> {
  serverOffsetMs = 600_000;
  const events: SigningEvent[] = [];
  try {
    await run(events);
  } finally {
    serverOffsetMs = 0;
  }
  return events.map((e) => e.type);
}

const laterClock = (h: Headers) => h.has('sigil-server-time') && h.set('sigil-server-time', String(Math.floor(Date.now() / 1000) + 86_400));

describe('attack: clock pre-play against a server that signs its 401s', () => {
  it.each([
    ['a changed Sigil-Server-Time in the signed 401', laterClock, 'response_signature_invalid'],
    ['the signed 401 stripped of its signature (a downgrade)', (h: Headers) => h.delete('sigil-response-signature'), 'response_signature_missing'],
  ])('%s is refused (%s) and never learnt: no retry', async (_name, change, expected) => {
    const types = await tenMinutesAhead(async (events) => {
      const tampered = client((real) => copy(real, real.body, change), events);
      expect(await codeOf(tampered(`${origin}/transfer`, post))).toBe(expected);
    });
    expect(types).not.toContain('retry');
  });

  it('untampered, the client 10 minutes slow learns the signed clock and its retry is accepted', async () => {
    const types = await tenMinutesAhead(async (events) => {
      expect((await client((real) => real, events)(`${origin}/transfer`, post)).status).toBe(200);
    });
    expect(types).toContain('retry');
  });
});

describe('what the server never signs or says', () => {
  it('an unsigned request gets a plainly unsigned 401 with Accept-Signature naming the required components', async () => {
    const res = await request(`${origin}/transfer`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await res.body.text();
    expect(res.statusCode).toBe(401);
    expect(res.headers['sigil-response-signature']).toBeUndefined();
    const accept = res.headers['accept-signature'] as string;
    expect(accept).toBe('sig1=("@method" "@authority" "@path" "@query");alg="hmac-sha256"');
    expect([...parseDictionary(accept).keys()]).toEqual(['sig1']);
  });

  it("a signed answer carries neither the request's nonce nor its MAC, nor a secret", async () => {
    let sent = '';
    let seen = '';
    const fetchSigned = createSigningFetch({
      keyId: KEY_ID,
      secret: KEY,
      origins: [origin],
      verifyResponses: true,
      fetch: async (url: string, init: { headers: Array<[string, string]> }) => {
        sent = init.headers.find(([name]) => name === 'sigil-signature')![1];
        const real = (await undiciFetch(url, init as object)) as unknown as Response;
        seen = JSON.stringify([...real.headers]) + (await real.clone().text());
        return real;
      },
    });
    const res = await fetchSigned(`${origin}/transfer`, post);
    expect(res.status).toBe(200);
    expect(seen).toContain('sigil-response-signature');
    const { nonce, mac } = parseSignatureHeader(sent);
    expectNoSecrets(seen, 'the signed answer', [nonce, mac]);
  });
});
