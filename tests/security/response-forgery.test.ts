// Attack: a man in the middle changes the answer. The client's request is
// signed, but a compromised proxy (here the on-path attacker of
// helpers/stack.ts) rewrites the response: the status, the body, a signed
// header, a redirect's Location; replays an answer to an earlier request,
// delivers the answer to request A for request B, strips the signature or
// answers unsigned itself. Driven for every client that verifies responses:
// the signing fetch with RFC 9421 (SPEC.md section 11.8) and the undici
// interceptor with v1 and RFC 9421 (the signing fetch with v1 is
// packages/fetch/test/verify-responses.test.ts). The server is a real
// verifier (createVerifier, both schemes) that signs each answer bound to
// the request it verified. Each forgery is refused by its code, and the
// caller gets the error alone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSigilError, parseSignatureHeader, signResponse, type HeaderList } from '@sigil/core';
import { defaultResponseComponents, rfc9421Key, signRfc9421Response, type Rfc9421Request } from '@sigil/core/rfc9421';
import { signingInterceptor, type SigningEvent, type SigningScheme } from '@sigil/fetch';
import type { VerificationSuccess } from '@sigil/verify';
import { Agent, interceptors, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY, KEY_ID } from './helpers/keys.js';
import { attackedStack, signingClient, type Answer } from './helpers/stack.js';

const FORGED = '{"balance":1000000}';

function rawHeaders(req: IncomingMessage): HeaderList {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

/** The server's answer, signed with the request's own scheme and bound to it. */
function signedAnswer(req: IncomingMessage, res: ServerResponse, result: VerificationSuccess, status: number, body: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  const headers: Array<[string, string]> = [['content-type', 'application/json'], ...Object.entries(extra)];
  const now = Math.floor(Date.now() / 1000);
  if (result.scheme === 'v1') {
    const request = parseSignatureHeader(String(req.headers['sigil-signature']));
    const { header } = signResponse({ status, headers, body: bytes }, KEY, { request, keyId: result.keyId, timestamp: now, headers: Object.keys(extra) });
    headers.push(['sigil-response-signature', header]);
  } else {
    const received: Rfc9421Request = { method: req.method!, scheme: 'http', target: req.url!, headers: rawHeaders(req) };
    const response = { status, headers, body: bytes };
    const signed = signRfc9421Response(response, received, rfc9421Key(KEY), {
      keyid: result.keyId,
      created: now,
      components: [...defaultResponseComponents(response, result.label), ...Object.keys(extra)],
    });
    if (signed.contentDigest) headers.push(['content-digest', signed.contentDigest]);
    headers.push(['signature-input', signed.signatureInput], ['signature', signed.signature]);
  }
  res.writeHead(status, headers.flat()).end(bytes);
}

const ctx = attackedStack({
  verifier: { schemes: ['v1', 'rfc9421'] },
  handle: (req, res, result) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/go') signedAnswer(req, res, result, 302, '{}', { location: '/account' });
    else if (path === '/stale') signedAnswer(req, res, result, 401, '{"error":"timestamp_out_of_window"}');
    else signedAnswer(req, res, result, 200, `{"balance":10,"for":${JSON.stringify(req.url)}}`);
    return true;
  },
});

/** The response-signature code of each forgery, per scheme (v1's own codes, section 9's for RFC 9421). */
const CODES = {
  v1: { mac: 'response_signature_invalid', body: 'response_signature_invalid', missing: 'response_signature_missing' },
  rfc9421: { mac: 'signature_invalid', body: 'content_digest_mismatch', missing: 'signature_missing' },
} as const;

type Client = (path: string) => Promise<{ status: number; body: string }>;

const events: SigningEvent[] = [];
const agents: Agent[] = [];
afterAll(() => Promise.all(agents.map((a) => a.close())));

/** The signing fetch, RFC 9421, verifying responses. */
function fetchClient(scheme: SigningScheme): Client {
  const signed = signingClient(ctx.attacker.origin, { scheme, verifyResponses: true, onEvent: (e) => void events.push(e) });
  return async (path) => {
    const res = await signed(ctx.attacker.origin + path);
    return { status: res.status, body: await res.text() };
  };
}

/** undici.request through an Agent with the interceptor, undici's redirect interceptor outside it. */
function interceptorClient(scheme: SigningScheme): Client {
  const agent = new Agent();
  agents.push(agent);
  const dispatcher = agent.compose(
    signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [ctx.attacker.origin], scheme, verifyResponses: true, onEvent: (e) => void events.push(e) }),
    interceptors.redirect({ maxRedirections: 3 }),
  );
  return async (path) => {
    const res = await request(ctx.attacker.origin + path, { dispatcher });
    return { status: res.statusCode, body: await res.body.text() };
  };
}

async function refusedWith(client: Client, code: string, path = '/account'): Promise<void> {
  events.length = 0;
  const error = await client(path).then(
    (got) => got,
    (e: unknown) => e,
  );
  expect(isSigilError(error) ? error.code : error).toBe(code);
  // The error is the code alone: no forged byte, header value or status of the response.
  expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toMatch(/1000000|evil|text\/html/);
  expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([code]);
  expect(events.map((e) => e.type)).not.toContain('response-verified');
}

function changed(answer: Answer, patch: Partial<Answer>): Answer {
  return { ...answer, ...patch, headers: { ...answer.headers, ...patch.headers } };
}

const clients: ReadonlyArray<[string, SigningScheme, () => Client]> = [
  ['signing fetch, rfc9421', 'rfc9421', () => fetchClient('rfc9421')],
  ['interceptor, v1', 'v1', () => interceptorClient('v1')],
  ['interceptor, rfc9421', 'rfc9421', () => interceptorClient('rfc9421')],
];

describe.each(clients)('response forgery refused (%s)', (_name, scheme, make) => {
  const codes = CODES[scheme];
  let client: Client;
  it('hands over a genuine signed response, and a signed redirect is verified before it is followed', async () => {
    client = make();
    events.length = 0;
    expect(await client('/account')).toEqual({ status: 200, body: '{"balance":10,"for":"/account"}' });
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified']);
    events.length = 0;
    expect((await client('/go')).body).toBe('{"balance":10,"for":"/account"}');
    expect(events.filter((e) => e.type === 'response-verified').map((e) => e.status)).toEqual([302, 200]);
  });

  it('a changed status is refused', async () => {
    ctx.attacker.tamperResponse = (answer) => changed(answer, { status: 201 });
    await refusedWith(client, codes.mac);
  });

  it('a changed body is refused', async () => {
    ctx.attacker.tamperResponse = (answer) => changed(answer, { body: FORGED });
    await refusedWith(client, codes.body);
  });

  it('a changed signed header (content-type) is refused', async () => {
    ctx.attacker.tamperResponse = (answer) => changed(answer, { headers: { 'content-type': 'text/html' } });
    await refusedWith(client, codes.mac);
  });

  it('a changed Location is refused, and the forged target is never requested', async () => {
    ctx.attacker.tamperResponse = (answer) => (answer.status === 302 ? changed(answer, { headers: { location: '/evil' } }) : answer);
    await refusedWith(client, codes.mac, '/go');
    expect(ctx.attacker.captured.map((c) => c.target)).toEqual(['/go']);
  });

  it('a response replayed from an earlier identical request is refused', async () => {
    await client('/account');
    const earlier = ctx.attacker.answers[0]!;
    ctx.attacker.tamperResponse = () => earlier;
    await refusedWith(client, codes.mac);
  });

  it('the response to request A delivered for request B is refused', async () => {
    await client('/account?for=A');
    const forA = ctx.attacker.answers[0]!;
    ctx.attacker.tamperResponse = () => forA;
    await refusedWith(client, codes.mac, '/account?for=B');
  });

  it('a stripped signature is refused', async () => {
    ctx.attacker.tamperResponse = (answer) => {
      const headers = { ...answer.headers };
      for (const name of ['sigil-response-signature', 'signature', 'signature-input']) delete headers[name];
      return { ...answer, headers };
    };
    await refusedWith(client, codes.missing);
  });

  it('a downgrade to an unsigned answer is refused', async () => {
    ctx.attacker.tamperResponse = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: FORGED });
    await refusedWith(client, codes.missing);
  });

  it('an unsigned Sigil-Server-Time is never learnt (clock pre-play): refused, not retried', async () => {
    ctx.attacker.tamperResponse = () => ({
      status: 401,
      headers: { 'content-type': 'application/json', 'sigil-server-time': String(Math.floor(Date.now() / 1000) + 200) },
      body: '{"error":"timestamp_out_of_window"}',
    });
    await refusedWith(client, codes.missing);
    expect(ctx.attacker.captured).toHaveLength(1);
  });

  it('a Sigil-Server-Time added to a genuine signed 401 is refused: a header the client acts on must be signed', async () => {
    ctx.attacker.tamperResponse = (answer) => changed(answer, { headers: { 'sigil-server-time': String(Math.floor(Date.now() / 1000) + 200) } });
    await refusedWith(client, 'header_not_signed', '/stale');
    expect(ctx.attacker.captured).toHaveLength(1);
  });
});

describe('the attack is real: without verifyResponses', () => {
  it('the interceptor hands the forged body to the caller', async () => {
    const agent = new Agent();
    agents.push(agent);
    const dispatcher = agent.compose(signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [ctx.attacker.origin] }));
    ctx.attacker.tamperResponse = (answer) => changed(answer, { body: FORGED });
    const res = await request(`${ctx.attacker.origin}/account`, { dispatcher });
    expect(await res.body.text()).toBe(FORGED);
  });
});
