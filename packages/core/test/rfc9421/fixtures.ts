// The RFC 9421 appendix B.2 test request and the B.1.5 shared secret, as
// published (https://www.rfc-editor.org/rfc/rfc9421#appendix-B).
import { importKey } from '@sigil/core';
import { rfc9421Key, type Rfc9421Request } from '@sigil/core/rfc9421';

export const RFC_SHARED_SECRET =
  'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==';
export const RFC_KEY = rfc9421Key(importKey(RFC_SHARED_SECRET, { encoding: 'base64' }), 'hmac-sha256');
export const RFC_CONTENT_DIGEST =
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** POST /foo?param=Value&Pet=dog with the RFC's headers and body. */
export function testRequest(extra: ReadonlyArray<readonly [string, string]> = []): Rfc9421Request {
  return {
    method: 'POST',
    scheme: 'https',
    target: '/foo?param=Value&Pet=dog',
    headers: [
      ['Host', 'example.com'],
      ['Date', 'Tue, 20 Apr 2021 02:07:55 GMT'],
      ['Content-Type', 'application/json'],
      ['Content-Digest', RFC_CONTENT_DIGEST],
      ['Content-Length', '18'],
      ...extra,
    ],
    body: utf8('{"hello": "world"}'),
  };
}

/** A request with the given headers, in the style of RFC 9421 section 2 examples. */
export function request(target: string, headers: ReadonlyArray<readonly [string, string]>, method = 'GET'): Rfc9421Request {
  return { method, scheme: 'https', target, headers: [['Host', 'www.example.com'], ...headers] };
}
