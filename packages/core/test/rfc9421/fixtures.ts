// The RFC 9421 appendix B.2 test request and the B.1.5 shared secret, as
// published (https://www.rfc-editor.org/rfc/rfc9421#appendix-B), shared with
// the vector generator so the two never disagree.
import { importKey } from '@sigil/core';
import { rfc9421Key, type Rfc9421Request } from '@sigil/core/rfc9421';
import { RFC_CONTENT_DIGEST, RFC_SECRET, SECTION_2_1_FIELDS, rfcRequest, toRequest } from '../../../../test-vectors/rfc9421/fixtures.js';

export { RFC_CONTENT_DIGEST, SECTION_2_1_FIELDS };
export const RFC_SHARED_SECRET = RFC_SECRET;
export const RFC_KEY = rfc9421Key(importKey(RFC_SHARED_SECRET, { encoding: 'base64' }), 'hmac-sha256');

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** POST /foo?param=Value&Pet=dog with the RFC's headers and body, and any extra field lines. */
export function testRequest(extra: ReadonlyArray<readonly [string, string]> = []): Rfc9421Request {
  const r = rfcRequest();
  return toRequest({ ...r, headers: [...r.headers, ...extra.map(([n, v]) => [n, v] as [string, string])] });
}

/** A request with the given headers, in the style of RFC 9421 section 2 examples. */
export function request(target: string, headers: ReadonlyArray<readonly [string, string]>, method = 'GET'): Rfc9421Request {
  return { method, scheme: 'https', target, headers: [['Host', 'www.example.com'], ...headers] };
}
