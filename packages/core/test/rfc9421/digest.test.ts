// RFC 9530 Content-Digest: the RFC's sample values, and the checks a
// verifier makes against the received content.
import { describe, expect, it } from 'vitest';
import { backends } from '@sigil/core';
import { checkContentDigest, contentDigest } from '@sigil/core/rfc9421';
import { utf8 } from './fixtures.js';

const HELLO = utf8('{"hello": "world"}');
const HELLO_LF = utf8('{"hello": "world"}\n');
const SHA256_HELLO = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const SHA512_HELLO = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';
const SHA512_HELLO_LF = 'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:';
const SHA256_HELLO_LF = 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:';
const SHA256_EMPTY = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

describe('RFC 9530 examples', () => {
  it('section 2 and appendix D: {"hello": "world"} with and without a final LF, and the empty content', () => {
    expect(contentDigest(HELLO)).toBe(SHA256_HELLO);
    expect(contentDigest(HELLO, 'sha-512')).toBe(SHA512_HELLO);
    expect(contentDigest(HELLO_LF, 'sha-512')).toBe(SHA512_HELLO_LF);
    expect(contentDigest(HELLO_LF)).toBe(SHA256_HELLO_LF);
    expect(contentDigest(new Uint8Array(0))).toBe(SHA256_EMPTY);
    expect(contentDigest(null)).toBe(SHA256_EMPTY);
  });

  it('both crypto backends give the same digests', () => {
    for (const backend of [backends.native, backends.portable]) {
      if (!backend) continue;
      expect(Buffer.from(backend.digest('sha512', HELLO_LF)).toString('base64')).toBe(SHA512_HELLO_LF.slice(9, -1));
    }
  });
});

describe('checkContentDigest', () => {
  const code = (value: string, body: Uint8Array | null, bodySha256?: string) => {
    try {
      return checkContentDigest(value, body, bodySha256 ? { bodySha256 } : {});
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it('accepts a matching member of either algorithm, ignoring unknown ones', () => {
    expect(code(SHA512_HELLO_LF, HELLO_LF)).toEqual(['sha-512']);
    expect(code(`${SHA256_HELLO_LF}, ${SHA512_HELLO_LF}`, HELLO_LF)).toEqual(['sha-256', 'sha-512']);
    expect(code(`md5=:Sd/dVLAcvNLSq16eXua5uQ==:, ${SHA256_HELLO}`, HELLO)).toEqual(['sha-256']);
  });

  it('checks a streamed sha-256 hash when there are no bytes', () => {
    const hex = Buffer.from(SHA256_HELLO.slice(9, -1), 'base64').toString('hex');
    expect(code(SHA256_HELLO, null, hex)).toEqual(['sha-256']);
    expect(code(SHA512_HELLO, null, hex)).toBe('content_digest_mismatch');
  });

  it('rejects a differing, truncated, mistyped, missing or malformed digest', () => {
    expect(code(SHA256_HELLO, HELLO_LF)).toBe('content_digest_mismatch');
    expect(code(`${SHA256_HELLO_LF}, ${SHA512_HELLO}`, HELLO_LF)).toBe('content_digest_mismatch');
    // RFC 9530 section 6: the sha-512 digest truncated to 32 bytes.
    expect(code('sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4=:', HELLO_LF)).toBe('content_digest_mismatch');
    expect(code('sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="', HELLO)).toBe('content_digest_mismatch');
    expect(code('md5=:Sd/dVLAcvNLSq16eXua5uQ==:', HELLO)).toBe('content_digest_mismatch');
    expect(code('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', HELLO)).toBe('content_digest_mismatch');
    expect(code('', HELLO)).toBe('content_digest_mismatch');
  });
});
