import { messageDigest } from '../canonicalize.js';
import type { Algorithm } from '../crypto.js';
import { SigilError } from '../errors.js';
import { checkHeaderList } from '../header.js';
import { KEY_ID, LIMITS, MAC, NONCE, SIGNATURE_HEADER } from '../lib/syntax.js';
import { headerValue, type HeaderList, type HeadersLike } from '../request.js';

/** The first line of every v1 response canonical string: never a request's `sigil-v1`. */
export const RESPONSE_CANONICAL_TAG = 'sigil-v1-response';

/** The response header that carries a v1 response signature, lowercase. */
export const RESPONSE_SIGNATURE_HEADER = 'sigil-response-signature';

/**
 * A response as a signer sends it or a client receives it: the same small
 * header/body view as SigilRequest, with a status instead of a method and
 * target, so both share header normalisation and the body digest.
 *
 * @example
 * const res: SigilResponse = { status: 200, headers: [['content-type', 'application/json']], body };
 */
export interface SigilResponse {
  /** The final status code, 200 to 599 (1xx responses are never signed). */
  readonly status: number;
  readonly headers: HeaderList | HeadersLike;
  /** The raw body bytes as sent; absent, null and empty all mean "no body". */
  readonly body?: Uint8Array | null;
  /** Lowercase hex SHA-256 of the body, when the caller hashed it while streaming. */
  readonly bodySha256?: string;
}

/**
 * The request a response answers, as its Sigil-Signature carried it: the
 * request's nonce and MAC (base64url, as sent). A `SignatureParams` from
 * `signRequest()` or `verifySignature()` is one.
 */
export interface BoundRequest {
  readonly nonce: string;
  readonly mac: string;
}

/** What the response canonical string binds besides the response itself. */
export interface ResponseCanonicalParams {
  readonly algorithm: Algorithm;
  readonly keyId: string;
  /** Unix seconds, a non-negative integer of at most 12 digits. */
  readonly timestamp: number;
  /** Lowercase, strictly ascending, unique header names; may be empty. */
  readonly headers: readonly string[];
  readonly request: BoundRequest;
}

const MAX_TIMESTAMP = 10 ** LIMITS.timestampDigits - 1;

/** @internal Checks a response h list (SPEC.md 11.2): like a request's, but may be empty. */
export function responseHeaderListProblem(names: readonly string[]): string | undefined {
  if (!Array.isArray(names)) return 'h must be an array of names';
  if (names.length === 0) return undefined;
  const problem = checkHeaderList(names);
  if (problem) return problem;
  if (names.includes(RESPONSE_SIGNATURE_HEADER)) return 'h may not list sigil-response-signature';
  return names.includes(SIGNATURE_HEADER) ? 'h may not list sigil-signature' : undefined;
}

/** @internal Throws `invalid_option` unless the bound request facts have their SPEC 3.3 syntax. */
export function checkBoundRequest(request: BoundRequest): void {
  if (typeof request !== 'object' || request === null) throw new SigilError('invalid_option', { detail: 'request must be { nonce, mac }' });
  if (typeof request.nonce !== 'string' || !NONCE.test(request.nonce)) {
    throw new SigilError('invalid_option', { detail: 'request.nonce must be 22-128 base64url characters' });
  }
  if (typeof request.mac !== 'string' || !MAC.test(request.mac)) {
    throw new SigilError('invalid_option', { detail: 'request.mac must be 1-128 base64url characters' });
  }
}

/** @internal Throws `response_status_invalid` unless the status is an integer 200-599. */
export function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new SigilError('response_status_invalid');
}

/**
 * The v1 response canonical string (SPEC.md section 11.2): one field per
 * line, LF-joined, no trailing LF.
 *
 * ```
 * sigil-v1-response
 * <alg>
 * <key id>
 * <timestamp>
 * <request nonce>
 * <request mac>
 * <status>
 * <h: signed names joined by ",", possibly empty>
 * <name>:<value>        one line per signed name, in h order
 * <hex SHA-256 of body>
 * ```
 *
 * Throws a SigilError: `response_status_invalid`, `signed_header_missing`,
 * `header_value_invalid`, `response_signature_malformed` for bad params,
 * `invalid_option` for a bad bound request.
 *
 * @example
 * canonicalizeResponse({ status: 200, headers: [['content-type', 'text/plain']], body },
 *   { algorithm: 'hmac-sha256', keyId: 'k1', timestamp: 1700000000, headers: ['content-type'],
 *     request: { nonce: signed.params.nonce, mac: signed.params.mac } });
 */
export function canonicalizeResponse(response: SigilResponse, params: ResponseCanonicalParams): string {
  if (params.algorithm !== 'hmac-sha256' && params.algorithm !== 'hmac-sha512') throw new SigilError('unsupported_algorithm');
  if (typeof params.keyId !== 'string' || !KEY_ID.test(params.keyId)) {
    throw new SigilError('response_signature_malformed', { detail: 'keyId must be 1-128 of A-Z a-z 0-9 . _ ~ : -' });
  }
  if (!Number.isSafeInteger(params.timestamp) || params.timestamp < 0 || params.timestamp > MAX_TIMESTAMP) {
    throw new SigilError('response_signature_malformed', { detail: 'timestamp must be a non-negative integer of at most 12 digits' });
  }
  const problem = responseHeaderListProblem(params.headers);
  if (problem) throw new SigilError('response_signature_malformed', { detail: problem });
  checkBoundRequest(params.request);
  checkStatus(response.status);
  let lines =
    `${RESPONSE_CANONICAL_TAG}\n${params.algorithm}\n${params.keyId}\n${params.timestamp}\n` +
    `${params.request.nonce}\n${params.request.mac}\n${response.status}\n${params.headers.join(',')}\n`;
  for (const name of params.headers) {
    const value = headerValue(response.headers, name);
    if (value === undefined) throw new SigilError('signed_header_missing', { detail: `header ${name}` });
    lines += `${name}:${value}\n`;
  }
  return lines + messageDigest(response);
}
