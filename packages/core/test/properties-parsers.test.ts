// Properties over arbitrary (mostly invalid) input: every parser and the
// canonicalizer either succeed or throw a SigilError, never anything else;
// the strict codecs have exactly one text per byte string; and the canonical
// string is injective over pairs of requests built from a tiny alphabet of
// delimiter characters, where a naive format would collide.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertInjective } from './helpers/injective.js';
import {
  base64Decode,
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  canonicalize,
  hasSignatureInQuery,
  headerValue,
  importKey,
  isSigilError,
  parseSignatureHeader,
  verifySignature,
  type CanonicalParams,
  type SigilRequest,
} from '@sigil/core';

const RUNS = { seed: 424_242, numRuns: 500 };
const VALID =
  'v=1;alg=hmac-sha256;kid=client-1;ts=1700000000;nonce=AAECAwQFBgcICQoLDA0ODw;h=host,x-a;mac=INORV-7sWrwc23ohLoCO4J3IPVi7ShTmpJYs6BQRtpA';
const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const key = importKey(new Uint8Array(32));

function onlySigilErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(isSigilError(error), String(error)).toBe(true);
  }
}

/** The valid header with a few characters replaced, inserted or deleted. */
const nearValidHeader = fc
  .array(fc.tuple(fc.nat(VALID.length), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ unit: 'binary', maxLength: 2 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((edits) =>
    edits.reduce((text, [at, op, s]) => text.slice(0, at) + (op === 'delete' ? '' : s) + text.slice(op === 'insert' ? at : at + 1), VALID),
  );

const requestArb: fc.Arbitrary<SigilRequest> = fc.record({
  method: fc.oneof(anyText, fc.constant('GET')),
  target: fc.oneof(anyText, fc.constant('/x')),
  headers: fc.array(fc.tuple(fc.oneof(anyText, fc.constantFrom('host', 'X-A')), anyText), { maxLength: 4 }),
  body: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: undefined }),
});

const paramsArb: fc.Arbitrary<CanonicalParams> = fc.record({
  algorithm: fc.oneof(fc.constantFrom('hmac-sha256', 'hmac-sha512'), anyText) as fc.Arbitrary<CanonicalParams['algorithm']>,
  keyId: fc.oneof(anyText, fc.constant('k')),
  timestamp: fc.oneof(fc.integer(), fc.double(), fc.constant(1_700_000_000)),
  nonce: fc.oneof(anyText, fc.constant('A'.repeat(22))),
  headers: fc.oneof(fc.array(anyText, { maxLength: 3 }), fc.constant(['host', 'x-a'])),
});

describe('no parser throws anything but a SigilError', () => {
  it('parseSignatureHeader on arbitrary and near-valid text', () => {
    fc.assert(fc.property(fc.oneof(anyText, nearValidHeader), (text) => onlySigilErrors(() => parseSignatureHeader(text))), RUNS);
  });

  it('canonicalize and headerValue on arbitrary requests and parameters', () => {
    fc.assert(
      fc.property(requestArb, paramsArb, (request, params) => {
        onlySigilErrors(() => canonicalize(request, params));
        onlySigilErrors(() => headerValue(request.headers, 'x-a'));
      }),
      RUNS,
    );
  });

  it('verifySignature never throws: it returns a failure code', () => {
    fc.assert(
      fc.property(requestArb, fc.oneof(anyText, nearValidHeader), (request, header) => {
        const result = verifySignature(request, header, key, { requiredHeaders: ['x-a'] });
        if (!result.ok) expect(isSigilError(result.error, result.code)).toBe(true);
      }),
      RUNS,
    );
  });

  it('importKey on arbitrary text, encodings and byte lengths', () => {
    const encoding = fc.constantFrom('base64url', 'base64', 'hex', 'utf8', 'latin1', '') as fc.Arbitrary<'hex'>;
    fc.assert(
      fc.property(anyText, encoding, fc.uint8Array({ maxLength: 1100 }), (text, enc, bytes) => {
        onlySigilErrors(() => importKey(text, { encoding: enc }));
        onlySigilErrors(() => importKey(bytes));
      }),
      RUNS,
    );
  });

  it('hasSignatureInQuery answers a boolean for any text', () => {
    const query = fc.string({ unit: fc.constantFrom('%', '2', 'D', 'k', 'i', 'd', 'm', 'a', 'c', '=', '&', '+', '?', '\ud800', 'é'), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(anyText, query.map((q) => `/x?${q}`)), (t) => {
        expect(typeof hasSignatureInQuery(t)).toBe('boolean');
      }),
      RUNS,
    );
  });
});

describe('strict codecs', () => {
  it('base64url and base64 round-trip bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
        expect(base64Decode(base64Encode(bytes))).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('accept exactly one text per byte string (no padding, alphabet or trailing-bit malleability)', () => {
    const b64ish = fc.string({ unit: fc.constantFrom(...'AQgw_-+/=Zz09'), maxLength: 12 });
    fc.assert(
      fc.property(b64ish, (text) => {
        const url = base64urlDecode(text);
        if (url) expect(base64urlEncode(url)).toBe(text);
        const std = base64Decode(text);
        if (std) expect(base64Encode(std)).toBe(text);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });
});

describe('the canonical string is injective', () => {
  // A tiny alphabet full of delimiters, so that many pairs are equal and many
  // differ only by where a ":", "," or "|" sits.
  const tiny = fc.record({
    algorithm: fc.constantFrom<CanonicalParams['algorithm']>('hmac-sha256', 'hmac-sha512'),
    keyId: fc.constantFrom('k', 'k:', 'k1'),
    timestamp: fc.constantFrom(1, 11),
    nonce: fc.constantFrom('A'.repeat(22), 'A'.repeat(23)),
    method: fc.constantFrom('GET', 'G'),
    target: fc.stringMatching(/^\/[b:,|]{0,3}$/),
    host: fc.stringMatching(/^[ b:,]{0,3}$/),
    extra: fc.subarray(['a', 'b']),
    values: fc.array(fc.stringMatching(/^[ b:,]{0,3}$/), { minLength: 2, maxLength: 2 }),
    body: fc.constantFrom<number[]>([], [44], [44, 44]),
  });
  type Tiny = typeof tiny extends fc.Arbitrary<infer T> ? T : never;
  const build = (t: Tiny) => {
    const headers: Array<[string, string]> = [['host', t.host], ...t.extra.map((n, i): [string, string] => [n, t.values[i]!])];
    const request: SigilRequest = { method: t.method, target: t.target, headers, body: Uint8Array.from(t.body) };
    const names = ['host', ...t.extra].sort();
    const params: CanonicalParams = { algorithm: t.algorithm, keyId: t.keyId, timestamp: t.timestamp, nonce: t.nonce, headers: names };
    // Every component, as core normalises it; equal components must mean equal strings and vice versa.
    const components = JSON.stringify([params, t.method, t.target, names.map((n) => headerValue(headers, n)), t.body]);
    return { canonical: canonicalize(request, params), components };
  };

  it('equal canonical strings if and only if equal components, over arbitrary pairs', () => {
    assertInjective(tiny, build, { ...RUNS, numRuns: 3000 });
  });
});
