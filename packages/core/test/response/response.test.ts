// v1 response signatures (SPEC.md section 11): signResponse / verifyResponse
// against the request they answer, and each refusal by its code.
import { describe, expect, it } from 'vitest';
import {
  canonicalizeResponse,
  formatResponseSignatureHeader,
  importKey,
  parseResponseSignatureHeader,
  signRequest,
  signResponse,
  verifyResponse,
  type SigilResponse,
} from '@sigil/core';

const key = importKey(new Uint8Array(32).fill(7));
const other = importKey(new Uint8Array(32).fill(8));
const TS = 1_700_000_000;
const body = new TextEncoder().encode('{"id":1}');

function request(nonce: string) {
  return signRequest({ method: 'POST', target: '/v1/orders', headers: [['host', 'api.example.com']] }, key, { keyId: 'client-1', timestamp: TS, nonce }).params;
}
const reqA = request('AAAAAAAAAAAAAAAAAAAAAA');
const reqB = request('BBBBBBBBBBBBBBBBBBBBBB');

function signed(res: SigilResponse, extra: readonly string[] = [], bound = reqA): SigilResponse {
  const { header } = signResponse(res, key, { request: bound, keyId: 'client-1', timestamp: TS + 1, headers: extra });
  return { ...res, headers: [...(res.headers as [string, string][]), ['Sigil-Response-Signature', header]] };
}
const base: SigilResponse = { status: 201, headers: [['Content-Type', 'application/json'], ['Location', '/v1/orders/1']], body };

describe('signResponse / verifyResponse', () => {
  it('round-trips, binding content-type and the listed headers', () => {
    const res = signed(base, ['Location']);
    const result = verifyResponse(res, key, { request: reqA, now: TS, requiredHeaders: ['location'] });
    expect(result).toMatchObject({ ok: true, keyId: 'client-1', params: { headers: ['content-type', 'location'] } });
    expect(result.ok && result.canonical.split('\n').slice(0, 9)).toEqual([
      'sigil-v1-response', 'hmac-sha256', 'client-1', String(TS + 1), reqA.nonce, reqA.mac, '201', 'content-type,location', 'content-type:application/json',
    ]);
  });

  it('signs a response without headers with an empty h', () => {
    const res = signed({ status: 204, headers: [] });
    expect(parseResponseSignatureHeader((res.headers as [string, string][])[0]![1]).headers).toEqual([]);
    expect(verifyResponse(res, key, { request: reqA }).ok).toBe(true);
  });

  const cases: Array<[string, (r: SigilResponse) => SigilResponse, string, object?]> = [
    ['a changed status', (r) => ({ ...r, status: 200 }), 'response_signature_invalid'],
    ['a changed body', (r) => ({ ...r, body: new TextEncoder().encode('{"id":2}') }), 'response_signature_invalid'],
    ['a changed signed header', (r) => ({ ...r, headers: (r.headers as [string, string][]).map(([n, v]) => [n, n === 'Location' ? '/evil' : v] as [string, string]) }), 'response_signature_invalid'],
    ['a stripped signature', (r) => ({ ...r, headers: (r.headers as [string, string][]).filter(([n]) => n !== 'Sigil-Response-Signature') }), 'response_signature_missing'],
    ['a second signature line', (r) => ({ ...r, headers: [...(r.headers as [string, string][]), ['sigil-response-signature', 'v=1']] }), 'response_signature_malformed'],
    ['a removed signed header', (r) => ({ ...r, headers: (r.headers as [string, string][]).filter(([n]) => n !== 'Location') }), 'signed_header_missing'],
    ['an added Content-Type on an unsigned one', (r) => r, 'header_not_signed'],
    ['a 1xx status', (r) => ({ ...r, status: 103 }), 'response_status_invalid'],
  ];
  for (const [what, change, code] of cases) {
    it(`refuses ${what}: ${code}`, () => {
      const start = what.startsWith('an added') ? signed({ status: 200, headers: [] }) : signed(base, ['location']);
      const tampered = what.startsWith('an added') ? { ...start, headers: [...(start.headers as [string, string][]), ['content-type', 'text/html']] as [string, string][] } : change(start);
      expect(verifyResponse(tampered, key, { request: reqA })).toMatchObject({ ok: false, code });
    });
  }

  it('refuses a response to request A delivered for request B, and one bound to another MAC', () => {
    const res = signed(base);
    expect(verifyResponse(res, key, { request: reqB })).toMatchObject({ ok: false, code: 'response_signature_invalid' });
    expect(verifyResponse(res, key, { request: { nonce: reqA.nonce, mac: reqB.mac } })).toMatchObject({ ok: false, code: 'response_signature_invalid' });
  });

  it('checks the window, the required headers and the key', () => {
    const res = signed(base);
    expect(verifyResponse(res, key, { request: reqA, now: TS + 302 })).toMatchObject({ code: 'timestamp_out_of_window' });
    expect(verifyResponse(res, key, { request: reqA, now: TS + 301 }).ok).toBe(true);
    expect(verifyResponse(res, key, { request: reqA, requiredHeaders: ['Location'] })).toMatchObject({ code: 'header_not_signed' });
    expect(verifyResponse(res, other, { request: reqA })).toMatchObject({ code: 'response_signature_invalid' });
    expect(verifyResponse(res, [other, key], { request: reqA })).toMatchObject({ ok: true, keyIndex: 1 });
    expect(verifyResponse(res, () => null, { request: reqA })).toMatchObject({ code: 'key_unknown' });
  });

  it('refuses a bad bound request as the caller error invalid_option', () => {
    expect(() => verifyResponse(signed(base), key, { request: { nonce: 'short', mac: reqA.mac } })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    expect(() => signResponse(base, key, { request: { nonce: reqA.nonce, mac: 'a;b' }, keyId: 'k', timestamp: 1 })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('never equals a request canonical string and never echoes received values in errors', () => {
    const c = canonicalizeResponse(base, { algorithm: 'hmac-sha256', keyId: 'k', timestamp: 1, headers: ['content-type'], request: reqA });
    expect(c.startsWith('sigil-v1-response\n')).toBe(true);
    const res = signed(base);
    const result = verifyResponse({ ...res, status: 500 }, key, { request: reqA });
    expect(JSON.stringify(result.ok ? {} : result.error)).not.toContain(reqA.mac);
  });
});

describe('parseResponseSignatureHeader', () => {
  const good = 'v=1;alg=hmac-sha256;kid=k1;ts=1;h=content-type;mac=' + 'A'.repeat(43);
  it('parses and formats back', () => {
    expect(formatResponseSignatureHeader(parseResponseSignatureHeader(good))).toBe(good);
  });
  it.each([
    [good + ';nonce=AAAAAAAAAAAAAAAAAAAAAA', 'response_signature_malformed'],
    [good.replace('h=content-type', 'h=x,content-type'), 'response_signature_malformed'],
    [good.replace('h=content-type', 'h=sigil-response-signature'), 'response_signature_malformed'],
    [good.replace(';ts=1', ''), 'response_signature_malformed'],
    [good.replace('v=1', 'v=2'), 'unsupported_version'],
    [good.replace('hmac-sha256', 'hmac-md5'), 'unsupported_algorithm'],
    [`${good} ;x`, 'response_signature_malformed'],
    ['x'.repeat(5000), 'response_signature_malformed'],
  ])('refuses %s', (value, code) => {
    expect(() => parseResponseSignatureHeader(value)).toThrow(expect.objectContaining({ code }));
  });
});
