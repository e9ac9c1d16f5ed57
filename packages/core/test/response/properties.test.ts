// Invariants of v1 response signatures (SPEC.md section 11) over generated
// responses (fast-check, seeded): sign -> verify round-trips; any change to
// the status, a signed header, the body, or the bound request's nonce or MAC
// fails; the canonical response string is injective; the header parser
// throws nothing but a SigilError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertInjective } from '../helpers/injective.js';
import {
  canonicalizeResponse,
  headerValue,
  importKey,
  isSigilError,
  parseResponseSignatureHeader,
  signResponse,
  verifyResponse,
  type BoundRequest,
  type ResponseCanonicalParams,
  type SigilResponse,
} from '@sigil/core';
import { algorithmArb, keyIdArb, nonceArb, timestampArb, valueArb } from '../helpers/arbitraries.js';

const RUNS = { seed: 20_261_203, numRuns: 300 };
const key = importKey(new Uint8Array(32).fill(0x3c));
const macArb = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.stringMatching(/^[A-Za-z0-9_-]{86}$/));
const boundArb: fc.Arbitrary<BoundRequest> = fc.record({ nonce: nonceArb, mac: macArb });
const nameArb = fc.constantFrom('location', 'x-a', 'X-B', 'cache-control', 'etag');

const caseArb = fc.record({
  status: fc.integer({ min: 200, max: 599 }),
  contentType: fc.option(valueArb, { nil: undefined }),
  lines: fc.array(fc.tuple(nameArb, valueArb), { maxLength: 5 }),
  signExtra: fc.boolean(),
  body: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
  keyId: keyIdArb,
  timestamp: timestampArb,
  algorithm: algorithmArb,
  request: boundArb,
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case) {
  const headers: Array<[string, string]> = [...(c.contentType === undefined ? [] : [['Content-Type', c.contentType] as [string, string]]), ...c.lines];
  const response: SigilResponse = { status: c.status, headers, body: c.body };
  const extra = c.signExtra ? c.lines.map(([n]) => n) : [];
  const signed = signResponse(response, key, { request: c.request, keyId: c.keyId, timestamp: c.timestamp, algorithm: c.algorithm, headers: extra });
  const received: SigilResponse = { ...response, headers: [...headers, ['sigil-response-signature', signed.header]] };
  return { response, received, signed };
}
const verify = (r: SigilResponse, request: BoundRequest) => verifyResponse(r, key, { request });

describe('response round trip', () => {
  it('every signed response verifies against its request, with the canonical string that was MACed', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { received, signed } = build(c);
        expect(verify(received, c.request)).toMatchObject({ ok: true, canonical: signed.canonical });
      }),
      RUNS,
    );
  });
});

describe('every bound component is bound', () => {
  it('the status', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 200, max: 599 }), (c, status) => {
        fc.pre(status !== c.status);
        const { received } = build(c);
        expect(verify({ ...received, status }, c.request)).toMatchObject({ ok: false, code: 'response_signature_invalid' });
      }),
      RUNS,
    );
  });

  it('each signed header value (content-type included)', () => {
    fc.assert(
      fc.property(caseArb, valueArb, fc.nat(), (c, value, pick) => {
        const { received, signed } = build(c);
        fc.pre(signed.params.headers.length > 0);
        const name = signed.params.headers[pick % signed.params.headers.length]!;
        const lines = received.headers as Array<[string, string]>;
        const changed = lines.filter(([n]) => n.toLowerCase() !== name);
        changed.unshift([name, value]);
        fc.pre(headerValue(changed, name) !== headerValue(lines, name));
        expect(verify({ ...received, headers: changed }, c.request).ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('each body byte, and a byte appended', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, at, delta) => {
        const { received } = build(c);
        const body = c.body ?? new Uint8Array(0);
        const appended = Uint8Array.from([...body, delta]);
        expect(verify({ ...received, body: appended }, c.request).ok).toBe(false);
        if (body.length === 0) return;
        const flipped = body.slice();
        flipped[at % body.length] = (flipped[at % body.length]! + delta) & 0xff;
        expect(verify({ ...received, body: flipped }, c.request)).toMatchObject({ ok: false, code: 'response_signature_invalid' });
      }),
      RUNS,
    );
  });

  it("the bound request's nonce, and its MAC", () => {
    fc.assert(
      fc.property(caseArb, boundArb, (c, other) => {
        const { received } = build(c);
        fc.pre(other.nonce !== c.request.nonce && other.mac !== c.request.mac);
        expect(verify(received, { nonce: other.nonce, mac: c.request.mac })).toMatchObject({ code: 'response_signature_invalid' });
        expect(verify(received, { nonce: c.request.nonce, mac: other.mac })).toMatchObject({ code: 'response_signature_invalid' });
      }),
      RUNS,
    );
  });
});

describe('the canonical response string is injective', () => {
  // A tiny alphabet of delimiters, so that many pairs are equal and many differ only by where a ":" or "," sits.
  const tiny = fc.record({
    algorithm: fc.constantFrom<ResponseCanonicalParams['algorithm']>('hmac-sha256', 'hmac-sha512'),
    keyId: fc.constantFrom('k', 'k:', 'k1'),
    timestamp: fc.constantFrom(1, 11),
    nonce: fc.constantFrom('A'.repeat(22), 'A'.repeat(23)),
    mac: fc.constantFrom('A'.repeat(43), 'B'.repeat(43), 'A'.repeat(86)),
    status: fc.constantFrom(200, 201, 599),
    names: fc.subarray(['a', 'b', 'content-type']),
    values: fc.array(fc.stringMatching(/^[ b:,]{0,3}$/), { minLength: 3, maxLength: 3 }),
    body: fc.constantFrom<number[]>([], [44], [44, 44]),
  });
  type Tiny = typeof tiny extends fc.Arbitrary<infer T> ? T : never;
  const build = (t: Tiny) => {
    const names = [...t.names].sort();
    const headers = names.map((n, i): [string, string] => [n, t.values[i]!]);
    const params: ResponseCanonicalParams = { algorithm: t.algorithm, keyId: t.keyId, timestamp: t.timestamp, headers: names, request: { nonce: t.nonce, mac: t.mac } };
    const components = JSON.stringify([params, t.status, names.map((n) => headerValue(headers, n)), t.body]);
    return { canonical: canonicalizeResponse({ status: t.status, headers, body: Uint8Array.from(t.body) }, params), components };
  };
  it('equal canonical strings if and only if equal components, over arbitrary pairs', () => {
    assertInjective(tiny, build, { ...RUNS, numRuns: 3000 });
  });
});

describe('parseResponseSignatureHeader', () => {
  it('throws nothing but a SigilError on arbitrary input', () => {
    const parts = fc.constantFrom('v=1', 'alg=hmac-sha256', 'kid=k', 'ts=1', 'h=', 'h=a,b', `mac=${'A'.repeat(43)}`, 'nonce=x', ';', '=', ' ', 'v=2');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(parts, { maxLength: 8 }).map((p) => p.join(';'))), (text) => {
        try {
          parseResponseSignatureHeader(text);
        } catch (error) {
          expect(isSigilError(error)).toBe(true);
        }
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });
});
