// The one signing path. createSigningFetch() and signingInterceptor() both
// reduce a request to these parts and call signParts(), so the two can
// never disagree about what is signed.
import { headerCount, SIGNATURE_HEADER, signRequest } from '@sigil/core';
import type { SigningConfig } from '../options.js';
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

/**
 * Signs one attempt: checks the transport, picks the signed headers
 * (`host`, `content-type` when present, and the configured ones present),
 * takes a fresh timestamp for the origin and a fresh nonce, and returns the
 * Sigil-Signature value.
 */
export function signParts(config: SigningConfig, parts: RequestParts): string {
  checkTransport(parts.url, config.allowInsecureHttp);
  const headers: readonly HeaderPair[] =
    headerCount(parts.headers, 'host') > 0 ? parts.headers : [...parts.headers, ['host', parts.url.host]];
  const names: string[] = [];
  if (headerCount(headers, 'content-type') > 0) names.push('content-type');
  for (const name of config.signedHeaders) if (headerCount(headers, name) > 0) names.push(name);
  const { header } = signRequest(
    { method: parts.method, target: parts.target, headers, body: parts.body },
    config.key,
    { keyId: config.keyId, algorithm: config.algorithm, timestamp: config.clock.now(parts.url.origin), headers: names },
  );
  return header;
}

/** The header lines without any Sigil-Signature (nor, when asked, other credentials). */
export function withoutSignature(headers: readonly HeaderPair[], credentials = false): HeaderPair[] {
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    if (lower === SIGNATURE_HEADER) return false;
    return !(credentials && (lower === 'authorization' || lower === 'cookie' || lower === 'proxy-authorization'));
  });
}
