// parseRfc9421Signature (the header-level checks a verifier runs before it
// reads keys or the body) and requireSigilParams (what Sigil requires beyond
// RFC 9421: created, a v1-syntax nonce, a v1-syntax keyid, a known alg).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSigilError } from '@sigil/core';
import { parseRfc9421Signature, requireSigilParams, signRfc9421, type Rfc9421Request } from '@sigil/core/rfc9421';
import { RFC_KEY, testRequest } from './fixtures.js';

const NONCE = 'AAAAAAAAAAAAAAAAAAAAAA';

function withFields(req: Rfc9421Request, input: string, signature = 'sig1=:AAAA:'): Rfc9421Request {
  return { ...req, headers: [...(req.headers as [string, string][]), ['Signature-Input', input], ['Signature', signature]] };
}

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (isSigilError(error)) return error.code;
    throw error;
  }
}

describe('parseRfc9421Signature', () => {
  it('returns what signRfc9421 wrote, without reading any component', () => {
    const req = testRequest();
    const r = signRfc9421(req, RFC_KEY, { keyid: 'k1', created: 1618884473, expires: 1618884773, nonce: NONCE, tag: 't', label: 'mine' });
    const parsed = parseRfc9421Signature(withFields(req, r.signatureInput, r.signature));
    expect(parsed.label).toBe('mine');
    expect(parsed.components).toEqual(['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"']);
    expect(parsed.params).toEqual({ created: 1618884473, expires: 1618884773, keyid: 'k1', alg: 'hmac-sha256', nonce: NONCE, tag: 't' });
    expect(parsed.mac).toHaveLength(32);
    // A covered component the request lacks is not noticed here: no value is read.
    const absent = parseRfc9421Signature(withFields(req, 'sig1=("x-absent");created=1'));
    expect(absent.components).toEqual(['"x-absent"']);
  });

  it('selects by label and tag, with the codes of SPEC.md section 9.9', () => {
    const req = withFields(testRequest(), 'a=();created=1;tag="x", b=();created=2;tag="y"', 'a=:AAAA:, b=:AAAA:');
    expect(parseRfc9421Signature(req, { tag: 'y' }).label).toBe('b');
    expect(parseRfc9421Signature(req, { label: 'a' }).params.created).toBe(1);
    expect(code(() => parseRfc9421Signature(req))).toBe('signature_header_malformed');
    expect(code(() => parseRfc9421Signature(req, { label: 'c' }))).toBe('signature_missing');
    expect(code(() => parseRfc9421Signature(testRequest()))).toBe('signature_missing');
  });

  it('refuses malformed lists and parameter types', () => {
    for (const input of ['sig1=("@method" "@method");created=1', 'sig1=("@signature-params")', 'sig1=();created="1"', 'sig1=();keyid=k', 'sig1=(@method)']) {
      expect(code(() => parseRfc9421Signature(withFields(testRequest(), input))), input).toBe('signature_header_malformed');
    }
  });

  it('throws nothing but a SigilError on arbitrary field values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (input, signature) => {
        const c = code(() => parseRfc9421Signature(withFields(testRequest(), input, signature)));
        expect(c === undefined || c === 'signature_missing' || c === 'signature_header_malformed').toBe(true);
      }),
    );
  });
});

describe('requireSigilParams', () => {
  const ok = { created: 1, keyid: 'client-1', nonce: NONCE };

  it('accepts created, a v1 key id and a v1 nonce, alg optional', () => {
    expect(requireSigilParams(ok)).toEqual(ok);
    expect(requireSigilParams({ ...ok, alg: 'hmac-sha256', expires: 2, tag: 't' })).toMatchObject({ alg: 'hmac-sha256', expires: 2 });
  });

  it.each([
    ['no created', { keyid: 'client-1', nonce: NONCE }, 'signature_header_malformed'],
    ['no nonce', { created: 1, keyid: 'client-1' }, 'signature_header_malformed'],
    ['a short nonce', { ...ok, nonce: 'abc' }, 'signature_header_malformed'],
    ['a nonce with ":"', { ...ok, nonce: `${NONCE}:x` }, 'signature_header_malformed'],
    ['a nonce of standard base64', { ...ok, nonce: `${NONCE}+/=` }, 'signature_header_malformed'],
    ['no keyid', { created: 1, nonce: NONCE }, 'key_unknown'],
    ['a keyid with a space', { ...ok, keyid: 'client 1' }, 'key_unknown'],
    ['an unknown alg', { ...ok, alg: 'rsa-pss-sha512' }, 'unsupported_algorithm'],
  ])('refuses %s', (_name, params, expected) => {
    expect(code(() => requireSigilParams(params))).toBe(expected);
  });
});
