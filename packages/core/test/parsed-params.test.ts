// canonicalize() skips re-checking params that parseSignatureHeader made
// (SPEC.md section 3 was checked while parsing). That is sound only if
// nothing else can pass for such params and they cannot change afterwards.
import { describe, expect, it } from 'vitest';
import { canonicalize, isSigilError, parseSignatureHeader, type SignatureParams } from '@sigil/core';

const header = 'v=1;alg=hmac-sha256;kid=client-1;ts=1700000000;nonce=AAAAAAAAAAAAAAAAAAAAAA;h=host;mac=' + 'A'.repeat(43);
const request = { method: 'GET', target: '/x', headers: [['host', 'api.example.com']] as Array<[string, string]> };

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (isSigilError(error)) return error.code;
    throw error;
  }
};

describe('params from the parser', () => {
  it('are frozen: a parsed nonce cannot be swapped for one with a line break', () => {
    const params = parseSignatureHeader(header);
    expect(Object.isFrozen(params)).toBe(true);
    expect(() => {
      (params as { nonce: string }).nonce = 'AAAAAAAAAAAAAAAAAAAAAA\nx';
    }).toThrow(TypeError);
    expect(canonicalize(request, params).split('\n')[4]).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('read as plain data: same fields, JSON and equality as an object literal', () => {
    const params = parseSignatureHeader(header);
    const literal: SignatureParams = { version: 1, algorithm: 'hmac-sha256', keyId: 'client-1', timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', headers: ['host'], mac: 'A'.repeat(43) };
    expect(params).toEqual(literal);
    expect(JSON.parse(JSON.stringify(params))).toEqual(literal);
    expect(Object.keys(params)).toEqual(Object.keys(literal));
  });

  it('cannot be imitated: a copy, or an object on their prototype, is checked again', () => {
    const params = parseSignatureHeader(header);
    const copy = { ...params, nonce: 'AAAAAAAAAAAAAAAAAAAAAA\nsigil-v1' };
    expect(codeOf(() => canonicalize(request, copy))).toBe('signature_header_malformed');
    const forged = Object.assign(Object.create(Object.getPrototypeOf(params) as object) as object, { ...params, keyId: 'client-1\nhost:evil' });
    expect(codeOf(() => canonicalize(request, forged as SignatureParams))).toBe('signature_header_malformed');
  });
});
