// The Sigil-Signature codec (SPEC.md section 3.2) and the query check
// (section 4 step 2): exact results for valid input, the exact code for each
// kind of invalid input.
import { describe, expect, it } from 'vitest';
import { checkHeaderList, formatSignatureHeader, hasSignatureInQuery, parseSignatureHeader, type SigilErrorCode, type SignatureParams } from '@sigil/core';

const MAC = 'INORV-7sWrwc23ohLoCO4J3IPVi7ShTmpJYs6BQRtpA';
const VALID = `v=1;alg=hmac-sha256;kid=client-1;ts=1700000000;nonce=AAECAwQFBgcICQoLDA0ODw;h=host,x-request-id;mac=${MAC}`;
const PARAMS: SignatureParams = {
  version: 1,
  algorithm: 'hmac-sha256',
  keyId: 'client-1',
  timestamp: 1_700_000_000,
  nonce: 'AAECAwQFBgcICQoLDA0ODw',
  headers: ['host', 'x-request-id'],
  mac: MAC,
};

function codeOf(run: () => unknown): SigilErrorCode | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: SigilErrorCode }).code;
  }
}

describe('parseSignatureHeader', () => {
  it('parses every parameter', () => {
    expect(parseSignatureHeader(VALID)).toEqual(PARAMS);
  });

  it('accepts parameters in any order and trims surrounding SP/HTAB only', () => {
    const shuffled = VALID.split(';').reverse().join(';');
    expect(parseSignatureHeader(shuffled)).toEqual(PARAMS);
    expect(parseSignatureHeader(` \t${VALID}\t `)).toEqual(PARAMS);
    expect(codeOf(() => parseSignatureHeader(`${VALID}\r\n`))).toBe('signature_header_malformed');
  });

  it('accepts every value at its maximum length', () => {
    const names = ['host', ...Array.from({ length: 31 }, (_, i) => `x-${'n'.repeat(60)}${String(i).padStart(2, '0')}`)];
    const header = `v=1;alg=hmac-sha512;kid=${'k'.repeat(128)};ts=999999999999;nonce=${'n'.repeat(128)};h=${names.join(',')};mac=${'A'.repeat(128)}`;
    const parsed = parseSignatureHeader(header);
    expect(parsed.headers).toHaveLength(32);
    expect(parsed.timestamp).toBe(999_999_999_999);
  });

  it.each<[string, string, SigilErrorCode]>([
    ['empty', '', 'signature_header_malformed'],
    ['too long', `${VALID};${'x'.repeat(4096)}`, 'signature_header_malformed'],
    ['duplicate parameter', `${VALID};ts=1700000000`, 'signature_header_malformed'],
    ['unknown parameter', `${VALID};extra=1`, 'signature_header_malformed'],
    ['missing parameter', VALID.replace(';ts=1700000000', ''), 'signature_header_malformed'],
    ['whitespace inside', VALID.replace(';kid=', '; kid='), 'signature_header_malformed'],
    ['no "=" in a part', `${VALID};v`, 'signature_header_malformed'],
    ['value with "="', VALID.replace('kid=client-1', 'kid=client=1'), 'signature_header_malformed'],
    ['kid too long', VALID.replace('kid=client-1', `kid=${'k'.repeat(129)}`), 'signature_header_malformed'],
    ['nonce too short', VALID.replace('nonce=AAECAwQFBgcICQoLDA0ODw', 'nonce=AAECAwQFBgcICQoLDA0OD'), 'signature_header_malformed'],
    ['mac too long', VALID.replace(MAC, 'A'.repeat(129)), 'signature_header_malformed'],
    ['ts leading zero', VALID.replace('ts=1700000000', 'ts=01700000000'), 'signature_header_malformed'],
    ['ts of 13 digits', VALID.replace('ts=1700000000', 'ts=1700000000000'), 'signature_header_malformed'],
    ['h unsorted', VALID.replace('h=host,x-request-id', 'h=x-request-id,host'), 'signature_header_malformed'],
    ['h duplicate', VALID.replace('h=host,x-request-id', 'h=host,host'), 'signature_header_malformed'],
    ['h uppercase', VALID.replace('h=host,x-request-id', 'h=Host'), 'signature_header_malformed'],
    ['h lists sigil-signature', VALID.replace('h=host,x-request-id', 'h=host,sigil-signature'), 'signature_header_malformed'],
    ['v=2', VALID.replace('v=1', 'v=2'), 'unsupported_version'],
    ['alg=hmac-sha1', VALID.replace('alg=hmac-sha256', 'alg=hmac-sha1'), 'unsupported_algorithm'],
  ])('%s', (_name, header, code) => {
    expect(codeOf(() => parseSignatureHeader(header))).toBe(code);
  });

  it('refuses a value that is not a string with a SigilError', () => {
    expect(codeOf(() => parseSignatureHeader(undefined as unknown as string))).toBe('signature_header_malformed');
  });
});

describe('formatSignatureHeader', () => {
  it('emits the order v;alg;kid;ts;nonce;h;mac and round-trips', () => {
    expect(formatSignatureHeader(PARAMS)).toBe(VALID);
    expect(parseSignatureHeader(formatSignatureHeader(PARAMS))).toEqual(PARAMS);
  });

  it('never emits a header a verifier would refuse to parse', () => {
    expect(codeOf(() => formatSignatureHeader({ ...PARAMS, keyId: 'client 1' }))).toBe('signature_header_malformed');
    expect(codeOf(() => formatSignatureHeader({ ...PARAMS, headers: ['x-a', 'host'] }))).toBe('signature_header_malformed');
  });
});

describe('checkHeaderList', () => {
  it('returns undefined for a valid list and a reason otherwise', () => {
    expect(checkHeaderList(['content-type', 'host'])).toBeUndefined();
    expect(checkHeaderList([])).toMatch(/1 to 32/);
    expect(checkHeaderList(Array.from({ length: 33 }, (_, i) => `h${String(i).padStart(2, '0')}`))).toMatch(/1 to 32/);
    expect(checkHeaderList(['b', 'a'])).toMatch(/sorted/);
    expect(checkHeaderList(['host', 'sigil-signature'])).toMatch(/sigil-signature/);
  });
});

describe('hasSignatureInQuery', () => {
  it.each([
    ['/x?sigil-signature=1', true],
    ['/x?SIGIL-SIGNATURE', true],
    ['/x?a=1&sigil%2dsignature=v', true],
    ['/x?kid=a&mac=b', true],
    ['/x?Kid=a&MAC=b', true],
    ['/x?q=kid%3Da%3Bmac%3Db', true],
    ['/x?q=kid=a;mac=b', true],
    ['/x', false],
    ['/x?', false],
    ['/x?kid=a', false],
    ['/x?mac=b', false],
    ['/x?skid=a&mac2=b', false],
    ['/x?q=%E0%A4%A', false],
    ['/kid=a&mac=b', false],
  ])('%s -> %s', (target, expected) => {
    expect(hasSignatureInQuery(target)).toBe(expected);
  });
});
