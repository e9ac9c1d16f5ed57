// The one signing path. createSigningFetch() and signingInterceptor() both
// reduce a request to these parts and call signParts(), so the two can
// never disagree about what is signed, whichever the scheme.
import { headerCount, SIGNATURE_HEADER, signRequest } from '@sigil/core';
import { defaultComponents, signRfc9421, type ComponentInput, type Rfc9421Request } from '@sigil/core/rfc9421';
import type { SigningConfig } from '../options.js';
import type { Rfc9421Config } from './scheme-options.js';
import { checkTransport } from './transport.js';

/** A header field line as sent: `[name, value]`. */
export type HeaderPair = [name: string, value: string];

/** A request exactly as it goes on the wire, minus the signature. */
export interface RequestParts {
  readonly method: string;
  /** Where it is sent: scheme, host and port are used. */
  readonly url: URL;
  /** The origin-form target sent on the request line (path and query). */
  readonly target: string;
  /**
   * The header lines that will be sent. A `host` line, if any, is the Host
   * the transport sends; without one the transport sends `url.host`.
   */
  readonly headers: readonly HeaderPair[];
  /** The exact body bytes, or null for none. */
  readonly body: Uint8Array | null;
}

/** @internal The header lines as the transport sends them: with the `host` line it adds when there is none. */
export function withHost(headers: readonly HeaderPair[], url: URL): HeaderPair[] {
  return headerCount(headers, 'host') > 0 ? [...headers] : [...headers, ['host', url.host]];
}

/** @internal The request as RFC 9421 reads it; `headers` as withHost() gives them. */
export function rfc9421Request(parts: RequestParts, headers: readonly HeaderPair[]): Rfc9421Request {
  return { method: parts.method, target: parts.target, headers, body: parts.body, scheme: parts.url.protocol === 'https:' ? 'https' : 'http' };
}

/** @internal The components an RFC 9421 signature of `request` covers: the configured list, else the defaults and the signedHeaders present. */
export function rfc9421Components(config: SigningConfig, rfc: Rfc9421Config, request: Rfc9421Request): ComponentInput[] {
  if (rfc.components) return [...rfc.components];
  return [...defaultComponents(request), ...config.signedHeaders.filter((name) => headerCount(request.headers, name) > 0)];
}

/** RFC 9421: Content-Digest (when computed), Signature-Input and Signature. */
function signRfc9421Parts(config: SigningConfig, rfc: Rfc9421Config, parts: RequestParts, headers: readonly HeaderPair[], created: number): HeaderPair[] {
  const request = rfc9421Request(parts, headers);
  const components = rfc9421Components(config, rfc, request);
  const signed = signRfc9421(request, rfc.key, {
    keyid: config.keyId,
    created,
    ...(rfc.expiresInSeconds === undefined ? {} : { expires: created + rfc.expiresInSeconds }),
    label: rfc.label,
    ...(rfc.tag === undefined ? {} : { tag: rfc.tag }),
    components,
    contentDigest: rfc.digest,
  });
  const out: HeaderPair[] = signed.contentDigest === undefined ? [] : [['content-digest', signed.contentDigest]];
  out.push(['signature-input', signed.signatureInput], ['signature', signed.signature]);
  return out;
}

/**
 * Signs one attempt: checks the transport, takes a fresh timestamp for the
 * origin and a fresh nonce, and returns the header lines to add. v1 signs
 * `host`, `content-type` when present and the configured headers present,
 * in one Sigil-Signature line; RFC 9421 adds Content-Digest (with content),
 * Signature-Input and Signature.
 */
export function signParts(config: SigningConfig, parts: RequestParts): HeaderPair[] {
  checkTransport(parts.url, config.allowInsecureHttp);
  const headers = withHost(parts.headers, parts.url);
  const timestamp = config.clock.now(parts.url.origin);
  if (config.rfc9421) return signRfc9421Parts(config, config.rfc9421, parts, headers, timestamp);
  const names: string[] = [];
  if (headerCount(headers, 'content-type') > 0) names.push('content-type');
  for (const name of config.signedHeaders) if (headerCount(headers, name) > 0) names.push(name);
  const { header } = signRequest(
    { method: parts.method, target: parts.target, headers, body: parts.body },
    config.key,
    { keyId: config.keyId, algorithm: config.algorithm, timestamp, headers: names },
  );
  return [[SIGNATURE_HEADER, header]];
}

/** Credentials never sent to another origin: RFC 9421 signatures count as such. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization', 'signature', 'signature-input']);

/**
 * The header lines without any Sigil-Signature (nor, when asked, other
 * credentials: Authorization, Cookie and RFC 9421 Signature and
 * Signature-Input lines).
 */
export function withoutSignature(headers: readonly HeaderPair[], credentials = false): HeaderPair[] {
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    if (lower === SIGNATURE_HEADER) return false;
    return !(credentials && CREDENTIALS.has(lower));
  });
}
