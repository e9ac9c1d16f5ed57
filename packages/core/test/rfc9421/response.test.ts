// RFC 9421 responses (SPEC.md section 11.8): RFC 9421's own response
// examples (section 2.4 and appendix B.2.4), whose signature bases are
// reproduced byte for byte (the RFC signs them with ECDSA P-256, which Sigil
// does not implement), then Sigil's default response binding and its refusals.
import { describe, expect, it } from 'vitest';
import { importKey, type SigilResponse } from '@sigil/core';
import { rfc9421Key, signRfc9421, signRfc9421Response, verifyRfc9421, verifyRfc9421Response, type Rfc9421Request } from '@sigil/core/rfc9421';
import { RFC_KEY, testRequest } from './fixtures.js';

const enc = new TextEncoder();
const key = RFC_KEY;
const other = rfc9421Key(importKey(new Uint8Array(32).fill(1)));
// RFC 9421 appendix B.2: the test request.
const rfcRequest = testRequest();

const fixed = { keyid: 'test-key-ecc-p256', nonce: false, includeAlg: false, contentDigest: false } as const;

describe('RFC 9421 response examples', () => {
  it('section 2.4: a 503 covering request components with req, signature base byte for byte', () => {
    const response: SigilResponse = {
      status: 503,
      headers: [
        ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
        ['Content-Type', 'application/json'],
        ['Content-Length', '62'],
        ['Content-Digest', 'sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:'],
      ],
      body: enc.encode('{"busy": true, "message": "Your call is very important to us"}'),
    };
    const components = ['@status', 'content-digest', 'content-type', '"@authority";req', '"@method";req', '"@path";req', '"content-digest";req'];
    // The response's Content-Digest is checked against its body before signing.
    const r = signRfc9421Response(response, rfcRequest, key, { ...fixed, label: 'reqres', created: 1618884479, components });
    expect(r.base).toBe(
      [
        '"@status": 503',
        '"content-digest": sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:',
        '"content-type": application/json',
        '"@authority";req: example.com',
        '"@method";req: POST',
        '"@path";req: /foo',
        '"content-digest";req: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
        '"@signature-params": ("@status" "content-digest" "content-type" "@authority";req "@method";req "@path";req "content-digest";req);created=1618884479;keyid="test-key-ecc-p256"',
      ].join('\n'),
    );
    expect(r.signatureInput).toBe(
      'reqres=("@status" "content-digest" "content-type" "@authority";req "@method";req "@path";req "content-digest";req);created=1618884479;keyid="test-key-ecc-p256"',
    );
    const signed = { ...response, headers: [...(response.headers as [string, string][]), ['Signature-Input', r.signatureInput], ['Signature', r.signature]] as [string, string][] };
    expect(verifyRfc9421Response(signed, rfcRequest, key, { requiredComponents: components })).toMatchObject({ ok: true, label: 'reqres', contentDigest: ['sha-512'] });
  });

  it('appendix B.2.4: a 200 response, signature base byte for byte', () => {
    const response: SigilResponse = {
      status: 200,
      headers: [
        ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
        ['Content-Type', 'application/json'],
        ['Content-Digest', 'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:'],
        ['Content-Length', '23'],
      ],
      body: enc.encode('{"message": "good dog"}'),
    };
    const components = ['@status', 'content-type', 'content-digest', 'content-length'];
    const r = signRfc9421Response(response, undefined, key, { ...fixed, label: 'sig-b24', created: 1618884473, components });
    expect(r.base).toBe(
      [
        '"@status": 200',
        '"content-type": application/json',
        '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
        '"content-length": 23',
        '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
      ].join('\n'),
    );
  });
});

describe('Sigil response binding (defaults)', () => {
  const req: Rfc9421Request = { method: 'POST', scheme: 'https', target: '/v1/orders?x=1', headers: [['host', 'api.example.com']], body: enc.encode('{}') };
  function signedRequest(nonce: string): Rfc9421Request {
    const s = signRfc9421({ ...req, headers: [...(req.headers as [string, string][]), ['content-type', 'application/json']] }, key, { keyid: 'k1', created: 1700000000, nonce });
    return { ...req, headers: [...(req.headers as [string, string][]), ['content-type', 'application/json'], ['content-digest', s.contentDigest!], ['signature-input', s.signatureInput], ['signature', s.signature]] };
  }
  const reqA = signedRequest('AAAAAAAAAAAAAAAAAAAAAA');
  const reqB = signedRequest('BBBBBBBBBBBBBBBBBBBBBB');
  function respond(to: Rfc9421Request, status = 201, body = '{"id":1}'): SigilResponse {
    const res: SigilResponse = { status, headers: [['content-type', 'application/json']], body: enc.encode(body) };
    const r = signRfc9421Response(res, to, key, { keyid: 'k1', created: 1700000001, nonce: 'CCCCCCCCCCCCCCCCCCCCCC' });
    return { ...res, headers: [...(res.headers as [string, string][]), ['content-digest', r.contentDigest!], ['signature-input', r.signatureInput], ['signature', r.signature]] };
  }

  it('covers @status, the content and the request with its signature, and verifies', () => {
    const res = respond(reqA);
    const result = verifyRfc9421Response(res, reqA, key);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.components).toEqual([
      '"@status"', '"content-digest"', '"content-type"', '"@method";req', '"@authority";req', '"@path";req', '"@query";req',
      '"signature-input";key="sig1";req', '"signature";key="sig1";req',
    ]);
  });

  it.each([
    ['a changed status', (r: SigilResponse) => ({ ...r, status: 200 }), reqA, 'signature_invalid'],
    ['a changed body', (r: SigilResponse) => ({ ...r, body: enc.encode('{"id":2}') }), reqA, 'content_digest_mismatch'],
    ['a response to request A delivered for request B', (r: SigilResponse) => r, reqB, 'signature_invalid'],
  ] as const)('refuses %s', (_what, change, request, code) => {
    expect(verifyRfc9421Response(change(respond(reqA)), request, key)).toMatchObject({ ok: false, code });
  });

  it('refuses a response signature that drops the request binding, another key, and response components on a request', () => {
    const res = respond(reqA);
    const weak = { ...res, headers: res.headers as [string, string][] };
    const r = signRfc9421Response(res, reqA, key, { keyid: 'k1', created: 1, nonce: 'CCCCCCCCCCCCCCCCCCCCCC', components: ['@status'], label: 'weak' });
    const onlyStatus = { ...weak, headers: [...weak.headers.filter(([n]) => !n.startsWith('signature')), ['signature-input', r.signatureInput], ['signature', r.signature]] as [string, string][] };
    expect(verifyRfc9421Response(onlyStatus, reqA, key)).toMatchObject({ ok: false, code: 'header_not_signed' });
    expect(verifyRfc9421Response(res, reqA, other)).toMatchObject({ ok: false, code: 'signature_invalid' });
    const asRequest = { ...reqA, headers: [...(reqA.headers as [string, string][]).filter(([n]) => !n.startsWith('signature')), ['signature-input', 'sig1=("@status");created=1;keyid="k1"'], ['signature', 'sig1=:AAAA:']] as [string, string][] };
    expect(verifyRfc9421(asRequest, key, { requiredComponents: [] })).toMatchObject({ ok: false, code: 'signature_header_malformed' });
    expect(() => signRfc9421Response(res, undefined, key, { keyid: 'k1', created: 1, components: ['"@method";req'] })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    expect(() => signRfc9421Response(res, reqA, key, { keyid: 'k1', created: 1, components: ['@method'] })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });
});
