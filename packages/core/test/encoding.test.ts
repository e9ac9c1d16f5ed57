// The byte codecs against RFC 4648 section 10, and their strictness: one text
// per byte string, so a MAC or key cannot be re-encoded into another accepted
// form (SPEC.md section 3.4).
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, base64urlDecode, base64urlEncode, hexEncode, timingSafeEqual } from '@sigil/core';

const ascii = (text: string) => new TextEncoder().encode(text);

// RFC 4648 section 10: BASE64 and BASE16 test vectors.
const RFC4648: Array<[string, string, string]> = [
  ['', '', ''],
  ['f', 'Zg==', '66'],
  ['fo', 'Zm8=', '666f'],
  ['foo', 'Zm9v', '666f6f'],
  ['foob', 'Zm9vYg==', '666f6f62'],
  ['fooba', 'Zm9vYmE=', '666f6f6261'],
  ['foobar', 'Zm9vYmFy', '666f6f626172'],
];

describe('RFC 4648 test vectors', () => {
  it.each(RFC4648)('%j', (text, b64, hex) => {
    const bytes = ascii(text);
    expect(base64Encode(bytes)).toBe(b64);
    expect(base64Decode(b64)).toEqual(bytes);
    expect(base64urlEncode(bytes)).toBe(b64.replace(/=+$/, ''));
    expect(base64urlDecode(b64.replace(/=+$/, ''))).toEqual(bytes);
    expect(hexEncode(bytes)).toBe(hex);
  });

  it('uses the URL-safe alphabet for base64url and the standard one for base64', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf]);
    expect(base64urlEncode(bytes)).toBe('-_-_');
    expect(base64Encode(bytes)).toBe('+/+/');
    expect(base64urlDecode('-_-_')).toEqual(bytes);
    expect(base64Decode('+/+/')).toEqual(bytes);
  });
});

describe('strict decoding', () => {
  it.each([
    ['padding', 'Zg=='],
    ['standard alphabet', '+/+/'],
    ['non-zero trailing bits', 'Zh'],
    ['non-zero trailing bits after two bytes', 'Zm9'],
    ['a length of 4n+1', 'Zm9vY'],
    ['whitespace', 'Zm9v Zm9v'],
    ['non-ASCII', 'Zm9v\u00e9'],
  ])('base64url refuses %s', (_name, text) => {
    expect(base64urlDecode(text)).toBeUndefined();
  });

  it.each([
    ['missing padding', 'Zg'],
    ['URL-safe alphabet', '-_-_'],
    ['non-zero trailing bits', 'Zh=='],
    ['padding in the middle', 'Zg==Zg=='],
    ['three padding characters', 'Z==='],
  ])('base64 refuses %s', (_name, text) => {
    expect(base64Decode(text)).toBeUndefined();
  });
});

describe('timingSafeEqual', () => {
  it('compares bytes and lengths', () => {
    expect(timingSafeEqual(ascii('abc'), ascii('abc'))).toBe(true);
    expect(timingSafeEqual(ascii('abc'), ascii('abd'))).toBe(false);
    expect(timingSafeEqual(ascii('abc'), ascii('ab'))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});
