import { importKey, isSigilError, SigilKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type SigningFetchOptions } from '@sigil/fetch';
import { describe, expect, it } from 'vitest';
import { SECRET_BYTES } from './helpers.js';

const key = importKey(SECRET_BYTES);

function errorOf(make: () => unknown): { code: string; message: string } {
  try {
    make();
  } catch (error) {
    if (isSigilError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a SigilError');
}

describe('createSigningFetch() validates its options at construction', () => {
  const bad: Array<[string, unknown, string, RegExp]> = [
    ['no options', undefined, 'invalid_option', /needs an options object/],
    ['origins left out', { keyId: 'k', secret: key, origins: undefined }, 'invalid_option', /options\.origins is invalid \(required: list the origins the key may be sent to, or write '\*'\)/],
    ['missing keyId', { secret: key }, 'invalid_option', /options\.keyId/],
    ['keyId outside the grammar', { keyId: 'a b', secret: key }, 'invalid_option', /options\.keyId must be 1 to 128/],
    ['keyId too long', { keyId: 'k'.repeat(129), secret: key }, 'invalid_option', /options\.keyId/],
    ['secret of the wrong type', { keyId: 'k', secret: 42 }, 'invalid_option', /options\.secret/],
    ['string secret without encoding', { keyId: 'k', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }, 'invalid_option', /options\.secretEncoding is required/],
    ['string secret badly encoded', { keyId: 'k', secret: 'not hex!', secretEncoding: 'hex' }, 'invalid_key', /options\.secret: .*not valid hex/],
    ['short secret', { keyId: 'k', secret: new Uint8Array(8) }, 'invalid_key', /options\.secret: .*at least 16 bytes/],
    ['unknown algorithm', { keyId: 'k', secret: key, algorithm: 'hmac-md5' }, 'invalid_option', /options\.algorithm/],
    ['maxBodyBytes zero', { keyId: 'k', secret: key, maxBodyBytes: 0 }, 'invalid_option', /options\.maxBodyBytes/],
    ['maxBodyBytes fractional', { keyId: 'k', secret: key, maxBodyBytes: 1.5 }, 'invalid_option', /options\.maxBodyBytes/],
    ['allowInsecureHttp not boolean', { keyId: 'k', secret: key, allowInsecureHttp: 'yes' }, 'invalid_option', /options\.allowInsecureHttp/],
    ['signedHeaders with a bad name', { keyId: 'k', secret: key, signedHeaders: ['x y'] }, 'invalid_option', /options\.signedHeaders must hold/],
    ['signedHeaders listing the signature', { keyId: 'k', secret: key, signedHeaders: ['Sigil-Signature'] }, 'invalid_option', /may not list sigil-signature/],
    ['too many signedHeaders', { keyId: 'k', secret: key, signedHeaders: Array.from({ length: 40 }, (_, i) => `x-${i}`) }, 'invalid_option', /at most 30/],
    ['fetch not a function', { keyId: 'k', secret: key, fetch: 'fetch' }, 'invalid_option', /options\.fetch/],
    ['clock not a function', { keyId: 'k', secret: key, clock: 5 }, 'invalid_option', /options\.clock/],
    ['redirect policy unknown', { keyId: 'k', secret: key, redirect: { crossOrigin: 'follow' } }, 'invalid_option', /options\.redirect\.crossOrigin/],
    ['redirect maxHops negative', { keyId: 'k', secret: key, redirect: { maxHops: -1 } }, 'invalid_option', /options\.redirect\.maxHops/],
    ['a misspelt option', { keyId: 'k', secret: key, allowInsecureHTTP: true }, 'invalid_option', /has no option "allowInsecureHTTP"/],
  ];

  it.each(bad)('%s', (_title, options, code, message) => {
    // Every row but the first names its origins, so the row's own mistake is the one reported.
    const withOrigins = typeof options === 'object' ? { origins: '*', ...options } : options;
    const error = errorOf(() => createSigningFetch(withOrigins as SigningFetchOptions));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('accepts each secret form', () => {
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: '*' })).not.toThrow();
    expect(() => createSigningFetch({ keyId: 'k', secret: SECRET_BYTES, origins: '*' })).not.toThrow();
    expect(() => createSigningFetch({ keyId: 'k', secret: 'a-passphrase-of-enough-length', secretEncoding: 'utf8', origins: '*' })).not.toThrow();
  });

  // Issue 15: the keyId check was a trial signature whose every failure was
  // reported as "options.keyId must be 1 to 128 characters", so a valid key
  // id was blamed for whatever broke inside signing.
  it('a failure inside signing is not reported as a keyId problem (issue 15)', () => {
    // A SigilKey that importKey() never made: it passes the option's type
    // check, and signing with it fails inside core.
    const hollow = Object.create(SigilKey.prototype) as SigilKey;
    for (const make of [
      () => createSigningFetch({ keyId: 'client-1', secret: hollow, origins: '*' }),
      () => signingInterceptor({ keyId: 'client-1', secret: hollow, origins: '*' }),
    ]) {
      let thrown: unknown;
      try {
        make();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect(String((thrown as Error).message)).not.toMatch(/keyId/);
    }
    // A keyId that is wrong is still named, with the same key that works.
    expect(errorOf(() => createSigningFetch({ keyId: 'a b', secret: key, origins: '*' })).message).toMatch(/options\.keyId must be 1 to 128/);
    expect(() => createSigningFetch({ keyId: 'k'.repeat(128), secret: key, origins: '*' })).not.toThrow();
  });

  it('maxClockSkewSeconds is a whole number of seconds from 0 to a day', () => {
    for (const value of [-1, 1.5, 86_401, '300']) {
      expect(errorOf(() => createSigningFetch({ keyId: 'k', secret: key, origins: '*', maxClockSkewSeconds: value } as never)).message).toMatch(
        /options\.maxClockSkewSeconds is invalid/,
      );
    }
    for (const value of [0, 300, 86_400]) expect(() => signingInterceptor({ keyId: 'k', secret: key, origins: '*', maxClockSkewSeconds: value })).not.toThrow();
  });

  it('signingInterceptor() names its options too', () => {
    expect(errorOf(() => signingInterceptor({ keyId: 'k', secret: key, origins: [] })).message).toMatch(/options\.origins/);
    expect(errorOf(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['x'], fetch: globalThis.fetch } as never)).message).toMatch(
      /signingInterceptor\(\) has no option "fetch"/,
    );
    expect(errorOf(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['not a url'] })).message).toMatch(/options\.origins\.0 is not a URL/);
  });
});
