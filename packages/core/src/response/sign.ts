import type { Algorithm } from '../crypto.js';
import { SigilError } from '../errors.js';
import { SigilKey } from '../key.js';
import { asciiLower, HEADER_NAME } from '../lib/syntax.js';
import { headerCount } from '../request.js';
import { canonicalizeResponse, type BoundRequest, type SigilResponse } from './canonicalize.js';
import { formatResponseSignatureHeader, type ResponseSignatureParams } from './header.js';

/** Options of signResponse(). */
export interface SignResponseOptions {
  /** The request this response answers: its nonce and MAC as verified (`result.params`). */
  readonly request: BoundRequest;
  /** The key id (the one the request was verified under). */
  readonly keyId: string;
  /** Unix seconds. Core has no clock: the caller passes its own. */
  readonly timestamp: number;
  /** Default `hmac-sha256`. */
  readonly algorithm?: Algorithm;
  /** Extra response header names to sign, any case; `content-type` is signed whenever present. */
  readonly headers?: readonly string[];
}

/** What signResponse() produces. */
export interface SignResponseResult {
  /** The Sigil-Response-Signature field value to send. */
  readonly header: string;
  readonly params: ResponseSignatureParams;
  /** The canonical string that was MACed, for debugging and vectors. */
  readonly canonical: string;
}

function signedNames(response: SigilResponse, extra: readonly string[] = []): string[] {
  if (!Array.isArray(extra)) throw new SigilError('invalid_option', { detail: 'headers must be an array of field names' });
  const names: string[] = headerCount(response.headers, 'content-type') > 0 ? ['content-type'] : [];
  for (const name of extra) {
    const lower = typeof name === 'string' ? asciiLower(name) : '';
    if (!HEADER_NAME.test(lower)) throw new SigilError('invalid_option', { detail: 'headers must hold HTTP field names' });
    if (!names.includes(lower)) names.push(lower);
  }
  return names.sort();
}

/**
 * Signs a response bound to the request it answers (SPEC.md section 11):
 * the status, `content-type` and the listed headers, the body's SHA-256,
 * the key id, the timestamp, and the request's nonce and MAC. Returns the
 * Sigil-Response-Signature header value. Throws a SigilError when the
 * response cannot be signed as it is (a 1xx status, a listed header absent
 * or holding CR/LF, a bad bound request).
 *
 * @example
 * const verified = verifySignature(req, header, key);
 * if (verified.ok) {
 *   const { header: sig } = signResponse({ status: 200, headers, body }, key,
 *     { request: verified.params, keyId: verified.keyId, timestamp: Math.floor(Date.now() / 1000) });
 *   headers.push(['sigil-response-signature', sig]);
 * }
 */
export function signResponse(response: SigilResponse, key: SigilKey, options: SignResponseOptions): SignResponseResult {
  if (!(key instanceof SigilKey)) throw new SigilError('invalid_key', { detail: 'key must come from importKey() or generateKey()' });
  if (typeof options !== 'object' || options === null) throw new SigilError('invalid_option', { detail: 'options' });
  const algorithm = options.algorithm ?? 'hmac-sha256';
  const headers = signedNames(response, options.headers);
  // Copies only: a caller's object must not change what was signed afterwards.
  const request = { nonce: options.request?.nonce, mac: options.request?.mac } as BoundRequest;
  const canonical = canonicalizeResponse(response, { algorithm, keyId: options.keyId, timestamp: options.timestamp, headers, request });
  const params: ResponseSignatureParams = {
    version: 1,
    algorithm,
    keyId: options.keyId,
    timestamp: options.timestamp,
    headers: Object.freeze(headers),
    mac: key.macBase64url(algorithm, canonical),
  };
  return { header: formatResponseSignatureHeader(params), params, canonical };
}
