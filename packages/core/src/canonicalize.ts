import { backend, type Algorithm } from './crypto.js';
import { SigilError } from './errors.js';
import { headerListValue, isParsedParams } from './header.js';
import { KEY_ID, LIMITS, METHOD, NONCE, TARGET } from './lib/syntax.js';
import { headerValue, type SigilRequest } from './request.js';

/** The first line of every v1 canonical string (domain separation). */
export const CANONICAL_TAG = 'sigil-v1';

/** What the canonical string binds besides the request itself. */
export interface CanonicalParams {
  readonly algorithm: Algorithm;
  readonly keyId: string;
  /** Unix seconds, a non-negative integer of at most 12 digits. */
  readonly timestamp: number;
  readonly nonce: string;
  /** Lowercase, strictly ascending, unique header names. */
  readonly headers: readonly string[];
}

const MAX_TIMESTAMP = 10 ** LIMITS.timestampDigits - 1;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lowercase hex SHA-256 of a body; the empty body hashes the empty string. */
export function bodyDigest(body: Uint8Array | null | undefined): string {
  return body && body.length > 0 ? backend.sha256Hex(body) : EMPTY_SHA256;
}

/** Throws `target_invalid` unless `target` is an origin-form target within limits. */
export function checkTarget(target: string): void {
  if (typeof target !== 'string' || target.length > LIMITS.target || !TARGET.test(target)) {
    throw new SigilError('target_invalid');
  }
}

/** Throws `method_invalid` unless `method` is an HTTP token of at most 32 characters. */
export function checkMethod(method: string): void {
  if (typeof method !== 'string' || !METHOD.test(method)) throw new SigilError('method_invalid');
}

/** Checks the params; returns the h value (the checked, comma-joined list). */
function checkParams(params: CanonicalParams): string {
  if (params.algorithm !== 'hmac-sha256' && params.algorithm !== 'hmac-sha512') throw new SigilError('unsupported_algorithm');
  if (typeof params.keyId !== 'string' || !KEY_ID.test(params.keyId)) {
    throw new SigilError('signature_header_malformed', { detail: 'keyId must be 1-128 of A-Z a-z 0-9 . _ ~ : -' });
  }
  if (!Number.isSafeInteger(params.timestamp) || params.timestamp < 0 || params.timestamp > MAX_TIMESTAMP) {
    throw new SigilError('signature_header_malformed', { detail: 'timestamp must be a non-negative integer of at most 12 digits' });
  }
  if (typeof params.nonce !== 'string' || !NONCE.test(params.nonce)) {
    throw new SigilError('signature_header_malformed', { detail: 'nonce must be 22-128 base64url characters' });
  }
  return headerListValue(params.headers);
}

/**
 * The v1 canonical string (SPEC.md section 2): one field per line, joined
 * by LF, no trailing LF.
 *
 * ```
 * sigil-v1
 * <alg>
 * <key id>
 * <timestamp>
 * <nonce>
 * <METHOD>
 * <target>
 * <h: signed names joined by ",">
 * <name>:<value>        one line per signed name, in h order
 * <hex SHA-256 of body>
 * ```
 *
 * Throws a SigilError when any part is outside its character set, when a
 * signed header is absent (`signed_header_missing`) or has a forbidden
 * character (`header_value_invalid`).
 *
 * @example
 * canonicalize(req, { algorithm: 'hmac-sha256', keyId: 'k1', timestamp: 1700000000,
 *   nonce: 'AAAAAAAAAAAAAAAAAAAAAA', headers: ['host'] });
 */
export function canonicalize(request: SigilRequest, params: CanonicalParams): string {
  // The parser's own output was checked when parsed, and cannot have changed since.
  const h = isParsedParams(params) ? headerListValue(params.headers) : checkParams(params);
  checkMethod(request.method);
  checkTarget(request.target);
  let lines =
    `${CANONICAL_TAG}\n${params.algorithm}\n${params.keyId}\n${params.timestamp}\n${params.nonce}\n` +
    `${request.method}\n${request.target}\n${h}\n`;
  const names = params.headers;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = headerValue(request.headers, name);
    if (value === undefined) throw new SigilError('signed_header_missing', { detail: `header ${name}` });
    lines += `${name}:${value}\n`;
  }
  return lines + messageDigest(request);
}

/**
 * @internal The body digest line of a request or a response: the adapter's
 * streamed `bodySha256` when given, else the hash of `body`.
 */
export function messageDigest(message: { readonly body?: Uint8Array | null; readonly bodySha256?: string }): string {
  const given = message.bodySha256;
  if (given === undefined) return bodyDigest(message.body);
  if (!/^[0-9a-f]{64}$/.test(given)) throw new SigilError('invalid_option', { detail: 'bodySha256 must be 64 lowercase hex digits' });
  return given;
}
