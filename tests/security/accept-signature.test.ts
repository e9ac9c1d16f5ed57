// Accept-Signature (RFC 9421 section 5.1): a verifier that requires more
// components than the client signed answers 401 with an Accept-Signature
// field naming them, and a signing fetch with `acceptSignature` signs once
// more as asked. The field is unauthenticated: an on-path attacker (the
// proxy of helpers/stack.ts) rewrites it to ask for another key, another
// algorithm, components the client cannot produce, an endless series of
// retries, or sends the client to another origin first. Each is refused by
// name: no retry, an `accept-signature-refused` event with its reason, the
// 401 returned. The server is node:http with a real createVerifier (both
// schemes) whose 401 carries the field, written by hand as section 5.1 shows.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultResponseComponents, rfc9421Key, signRfc9421Response, type Rfc9421Request } from '@sigil/core/rfc9421';
import { createSigningFetch, type SigningEvent, type SigningFetchOptions } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, KEY_ID, KEYS } from './helpers/keys.js';
import { closeAll, headerOf, startAttacker, startRecorder, type Answer, type Attacker, type Recorder } from './helpers/stack.js';

const ASKED = `sig1=("@method" "@authority" "@path" "@query" "content-digest" "content-type" "x-tenant");keyid="${KEY_ID}";alg="hmac-sha256";created;nonce`;

/** Writes an answer, signed as a Sigil server signs responses (SPEC.md section 11.8) when `sign` says so. */
function answer(res: ServerResponse, status: number, headers: Array<[string, string]>, body: string, sign?: { request: Rfc9421Request; cover: boolean }): void {
  if (sign) {
    const response = { status, headers, body: Buffer.from(body) };
    const extra = sign.cover && status === 401 ? ['accept-signature'] : [];
    const signed = signRfc9421Response(response, sign.request, rfc9421Key(KEY), {
      keyid: KEY_ID,
      created: Math.floor(Date.now() / 1000),
      components: [...defaultResponseComponents(response), ...extra],
    });
    headers = [...headers, ['content-digest', signed.contentDigest!], ['signature-input', signed.signatureInput], ['signature', signed.signature]];
  }
  res.writeHead(status, headers.flat()).end(body);
}

let server: Server;
let attacker: Attacker;
let evil: Recorder;
/** The components of each request the verifier accepted. */
const accepted: string[][] = [];

beforeAll(async () => {
  const verifier = createVerifier({
    schemes: ['v1', 'rfc9421'],
    keys: KEYS,
    nonceStore: new MemoryNonceStore(),
    rfc9421: { requiredComponents: ['@method', '@authority', '@path', '@query', 'x-tenant'] },
  });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const result = await verifier.verify({ method: req.method!, target: req.url!, headers, body: Buffer.concat(chunks), remoteAddress: req.socket.remoteAddress });
      // Under /signed every answer is signed (RFC 9421, bound to the request), the 401's Accept-Signature covered or not (?cover=0).
      const sign = req.url!.startsWith('/signed') ? { request: { method: req.method!, scheme: 'http' as const, target: req.url!, headers }, cover: !req.url!.includes('cover=0') } : undefined;
      if (result.ok) {
        accepted.push([...(result.components ?? [])]);
        return void answer(res, 200, [['content-type', 'application/json']], JSON.stringify({ body: Buffer.from(result.body).toString() }), sign);
      }
      answer(res, result.status, [['content-type', 'application/json'], ['accept-signature', ASKED]], JSON.stringify({ error: result.publicCode }), sign);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  attacker = await startAttacker(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  evil = await startRecorder((_captured, res) => void res.writeHead(401, { 'accept-signature': ASKED }).end());
});
afterAll(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let events: SigningEvent[];
beforeEach(() => {
  events = [];
  accepted.length = 0;
  attacker.captured.length = 0;
  attacker.answers.length = 0;
  attacker.tamper = (r) => r;
  attacker.tamperResponse = (a) => a;
});

function client(extra: Partial<SigningFetchOptions> = {}) {
  return createSigningFetch({
    keyId: KEY_ID,
    secret: KEY,
    origins: [attacker.origin],
    scheme: 'rfc9421',
    acceptSignature: true,
    fetch: undiciFetch,
    onEvent: (e) => void events.push(e),
    ...extra,
  });
}

const post = { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': 't-1' }, body: '{"qty":1}' };

/** The 401's Accept-Signature replaced by the attacker's. */
function forge(value: string): (answer: Answer) => Answer {
  return (answer) => (answer.status === 401 ? { ...answer, headers: { ...answer.headers, 'accept-signature': value } } : answer);
}

async function declined(reason: string, extra: Partial<SigningFetchOptions> = {}): Promise<void> {
  const res = await client(extra)(`${attacker.origin}/orders`, post);
  expect(res.status).toBe(401);
  expect(attacker.captured).toHaveLength(1);
  expect(events.filter((e) => e.type === 'accept-signature-refused').map((e) => e.reason)).toEqual([reason]);
  expect(events.map((e) => e.type)).not.toContain('accept-signature');
}

describe('Accept-Signature: the client retries once, signed as asked', () => {
  it('adds the asked component (x-tenant), resends the same body bytes, and is accepted', async () => {
    const res = await client()(`${attacker.origin}/orders`, post);
    expect([res.status, await res.json()]).toEqual([200, { body: '{"qty":1}' }]);
    expect(events.map((e) => e.type)).toEqual(['signed', 'accept-signature', 'signed']);
    expect(accepted[0]).toContain('"x-tenant"');
    expect(attacker.captured.map((c) => c.body.toString())).toEqual(['{"qty":1}', '{"qty":1}']);
    // A fresh signature: another nonce, the same key id and algorithm.
    const [first, second] = attacker.captured.map((c) => headerOf(c, 'signature-input')!);
    expect(second).not.toBe(first);
    expect(second).toMatch(new RegExp(`keyid="${KEY_ID}";alg="hmac-sha256"`));
  });

  it('with verifyResponses, an unsigned 401 is refused before its Accept-Signature is read: nothing is resent', async () => {
    const error = await client({ verifyResponses: true })(`${attacker.origin}/orders`, post).catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe('signature_missing');
    expect(attacker.captured).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['signed', 'refused']);
  });

  it('with verifyResponses, a signed 401 whose Accept-Signature is signed too is answered, and the signed 200 verified', async () => {
    const res = await client({ verifyResponses: true })(`${attacker.origin}/signed/orders`, post);
    expect([res.status, await res.json()]).toEqual([200, { body: '{"qty":1}' }]);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified', 'accept-signature', 'signed', 'response-verified']);
  });

  it('with verifyResponses, an Accept-Signature the signed 401 does not cover is refused: header_not_signed, nothing resent', async () => {
    const error = await client({ verifyResponses: true })(`${attacker.origin}/signed/orders?cover=0`, post).catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe('header_not_signed');
    expect(attacker.captured).toHaveLength(1);
  });

  it('without acceptSignature the 401 is the answer: nothing is resent', async () => {
    const res = await client({ acceptSignature: false })(`${attacker.origin}/orders`, post);
    expect([res.status, attacker.captured.length]).toEqual([401, 1]);
  });
});

describe('a forged Accept-Signature is refused by name', () => {
  it('asking for another key id: keyid', async () => {
    attacker.tamperResponse = forge('sig1=("@method" "x-tenant");keyid="sec-other"');
    await declined('keyid');
  });

  it('asking for a weaker or other algorithm: alg', async () => {
    attacker.tamperResponse = forge('sig1=("@method" "x-tenant");alg="hmac-sha1"');
    await declined('alg');
    events.length = 0;
    attacker.captured.length = 0;
    attacker.tamperResponse = forge('sig1=("@method" "x-tenant");alg="rsa-pss-sha512"');
    await declined('alg');
  });

  it('asking for a field the request lacks, @status, a req component or the signature itself: component', async () => {
    for (const asked of ['("x-missing")', '("@status")', '("@method";req)', '("signature";key="sig1")', '("@query-param";name="absent")']) {
      events.length = 0;
      attacker.captured.length = 0;
      attacker.tamperResponse = forge(`sig1=${asked}`);
      await declined('component');
    }
  });

  it('asking for less than the client signs: the retry only adds, its own components stay covered', async () => {
    attacker.tamperResponse = forge('sig1=("@method")');
    const res = await client()(`${attacker.origin}/orders?page=2`, post);
    expect([res.status, attacker.captured.length]).toEqual([401, 2]);
    const retry = headerOf(attacker.captured[1]!, 'signature-input')!;
    for (const id of ['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"']) expect(retry).toContain(id);
  });

  it('asking for more components than acceptSignature.maxComponents: limit', async () => {
    await declined('limit', { acceptSignature: { maxComponents: 3 } });
  });

  it('not an sf-dictionary of inner lists: malformed', async () => {
    attacker.tamperResponse = forge('sig1="@method", (');
    await declined('malformed');
  });

  it('asking again after the retry: at most one retry per call (retried)', async () => {
    // The attacker strips what was asked from the retry, so the server asks again.
    attacker.tamper = (request) => ({ ...request, headers: request.headers.filter(([name]) => name.toLowerCase() !== 'x-tenant') });
    const res = await client()(`${attacker.origin}/orders`, post);
    expect([res.status, attacker.captured.length]).toEqual([401, 2]);
    expect(events.filter((e) => e.type.startsWith('accept-signature')).map((e) => [e.type, e.reason])).toEqual([
      ['accept-signature', undefined],
      ['accept-signature-refused', 'retried'],
    ]);
  });

  it('after a redirect to another origin: nothing signed goes there, whatever its 401 asks', async () => {
    attacker.tamperResponse = () => ({ status: 307, headers: { location: `${evil.origin}/orders` }, body: '' });
    const res = await client({ redirect: { crossOrigin: 'follow-unsigned' } })(`${attacker.origin}/orders`, post);
    expect(res.status).toBe(401);
    expect(evil.captured).toHaveLength(1);
    for (const name of ['signature', 'signature-input', 'sigil-signature']) expect(headerOf(evil.captured[0]!, name)).toBeUndefined();
    expect(events.map((e) => e.type)).not.toContain('accept-signature');
    // And by default such a redirect is not followed at all.
    evil.captured.length = 0;
    const error = await client()(`${attacker.origin}/orders`, post).catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe('origin_not_allowed');
    expect(evil.captured).toHaveLength(0);
  });
});
