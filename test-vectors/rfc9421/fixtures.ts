// Fixed inputs of the RFC 9421 vector generator and the helpers that sign
// with core. No randomness and no clock: the same source gives the same files.
import { backend, base64Decode, base64urlEncode, importKey, type SigilKey } from '../../packages/core/src/index.js';
import {
  rfc9421Key,
  signatureBase,
  signRfc9421,
  serializeBareItem,
  type ComponentInput,
  type Rfc9421Key,
  type Rfc9421Request,
  type SignRfc9421Options,
} from '../../packages/core/src/rfc9421/index.js';
import type { Rfc9421VectorKey, Rfc9421VectorRequest } from '../../packages/core/src/rfc9421/vectors.js';

/** `created` of every Sigil case (2023-11-14T22:13:20Z). */
export const NOW = 1_700_000_000;
export const HOST = 'api.example.com';
export const RFC_SECRET = 'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==';
export const RFC_CONTENT_DIGEST = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

const encoder = new TextEncoder();
function secret(seed: number): string {
  return base64urlEncode(backend.digest('sha256', encoder.encode(`rfc9421-key:${seed}`)));
}

export const KEYS = {
  rfc: { id: 'test-shared-secret', secret: RFC_SECRET, encoding: 'base64', algorithm: 'hmac-sha256' },
  /** The B.1.5 secret under the keyid appendix B.2.1-B.2.3 use (the RFC signs those with RSA-PSS). */
  rfcPss: { id: 'test-key-rsa-pss', secret: RFC_SECRET, encoding: 'base64', algorithm: 'hmac-sha256' },
  main: { id: 'client-1', secret: secret(1), encoding: 'base64url', algorithm: 'hmac-sha256' },
  other: { id: 'client-2', secret: secret(2), encoding: 'base64url', algorithm: 'hmac-sha256' },
  forged: { id: 'client-1', secret: secret(3), encoding: 'base64url', algorithm: 'hmac-sha256' },
} as const satisfies Record<string, Rfc9421VectorKey>;

/** A deterministic 22-character nonce derived from a case id. */
export function nonceFor(id: string): string {
  return base64urlEncode(backend.digest('sha256', encoder.encode(`rfc9421-nonce:${id}`)).slice(0, 16));
}

export function toKey(key: Rfc9421VectorKey): Rfc9421Key {
  const k: SigilKey = importKey(key.secret, { encoding: key.encoding });
  return rfc9421Key(k, key.algorithm);
}

export function toRequest(r: Rfc9421VectorRequest): Rfc9421Request {
  const body = r.body === null ? null : 'utf8' in r.body ? encoder.encode(r.body.utf8) : base64Decode(r.body.base64)!;
  return {
    method: r.method,
    scheme: r.scheme,
    ...(r.authority === undefined ? {} : { authority: r.authority }),
    target: r.target,
    headers: r.headers,
    body,
  };
}

/** The RFC 9421 appendix B.2 test request. */
export function rfcRequest(): Rfc9421VectorRequest {
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
    ],
    body: { utf8: '{"hello": "world"}' },
  };
}

/** The field lines of the RFC 9421 section 2.1 examples (HTTP/1.1 obs-fold left out). */
export const SECTION_2_1_FIELDS: [string, string][] = [
  ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
  ['X-OWS-Header', '   Leading and trailing whitespace.   '],
  ['Cache-Control', 'max-age=60'],
  ['Cache-Control', '   must-revalidate'],
  ['Example-Dict', ' a=1,    b=2;x=1;y=2,   c=(a   b   c)'],
  ['X-Empty-Header', ''],
];

/** A request to api.example.com. */
export function req(method: string, target: string, headers: [string, string][] = [], body: Rfc9421VectorRequest['body'] = null): Rfc9421VectorRequest {
  return { method, scheme: 'https', target, headers: [['Host', HOST], ...headers], body };
}

export interface Signed {
  /** The request with the Content-Digest the signer added, if any. */
  request: Rfc9421VectorRequest;
  signatureInput: string;
  signature: string;
  base: string;
}

/** Signs with core's signRfc9421 (Sigil defaults unless `options` says otherwise). */
export function sign(id: string, request: Rfc9421VectorRequest, key: Rfc9421VectorKey = KEYS.main, options: Partial<SignRfc9421Options> = {}): Signed {
  const r = signRfc9421(toRequest(request), toKey(key), { keyid: key.id, created: NOW, nonce: nonceFor(id), ...options });
  const headers = r.contentDigest ? [...request.headers, ['Content-Digest', r.contentDigest] as [string, string]] : request.headers;
  return { request: { ...request, headers }, signatureInput: r.signatureInput, signature: r.signature, base: r.base };
}

/**
 * Signs what signRfc9421 refuses to (a Content-Digest without a sha-256 or
 * sha-512 member, odd parameter orders): the base from signatureBase(), the
 * MAC from the key. Only negative vectors use it.
 */
export function signRaw(request: Rfc9421VectorRequest, key: Rfc9421VectorKey, label: string, components: ComponentInput[], params: Map<string, string | number | boolean>): Signed {
  const base = signatureBase(toRequest(request), components, params);
  const inner = base.slice(base.lastIndexOf('"@signature-params": ') + '"@signature-params": '.length);
  const mac = toKey(key).key.mac('hmac-sha256', base);
  return { request, signatureInput: `${label}=${inner}`, signature: `${label}=${serializeBareItem(mac)}`, base };
}

/** The request as a verifier receives it: Signature-Input and Signature lines appended. */
export function received(s: Signed, input = s.signatureInput, signature = s.signature): Rfc9421VectorRequest {
  return { ...s.request, headers: [...s.request.headers, ['Signature-Input', input], ['Signature', signature]] };
}
