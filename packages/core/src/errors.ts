/**
 * Every error Sigil raises or returns. One base class, one stable `code` per
 * failure; `switch (err.code)` narrows. Messages are fixed strings chosen
 * here: they never contain secrets, MACs, nonces or received header values.
 */

/** HTTP status a verifier answers with, for each code that can reach a server response. */
export const ERROR_STATUS = {
  signature_missing: 401,
  signature_header_malformed: 401,
  unsupported_version: 401,
  unsupported_algorithm: 401,
  timestamp_out_of_window: 401,
  header_not_signed: 401,
  signed_header_missing: 401,
  header_value_invalid: 401,
  method_invalid: 401,
  target_invalid: 401,
  signature_in_query: 401,
  key_unknown: 401,
  signature_invalid: 401,
  nonce_replayed: 401,
  content_digest_mismatch: 401,
  webhook_header_missing: 401,
  webhook_header_malformed: 401,
  insecure_transport: 403,
  key_scope_denied: 403,
  body_too_large: 413,
  body_read_failed: 400,
  nonce_store_full: 503,
  nonce_store_unavailable: 503,
  key_lookup_unavailable: 503,
  // Raised locally (client, configuration, tooling); never sent by a verifier.
  invalid_key: 500,
  invalid_option: 500,
  origin_not_allowed: 500,
  redirect_cross_origin: 500,
  too_many_redirects: 500,
  redirect_opaque: 500,
  body_unsupported: 500,
  destination_not_allowed: 500,
  response_signature_missing: 500,
  response_signature_malformed: 500,
  response_status_invalid: 500,
  response_signature_invalid: 500,
  vector_invalid: 500,
} as const;

/** The stable string codes. Documented in SPEC.md section "Error codes". */
export type SigilErrorCode = keyof typeof ERROR_STATUS;

/**
 * The code a verifier puts in a response body. Unknown keys answer exactly
 * like a bad MAC, so a client cannot probe which key ids exist.
 */
export function publicCode(code: SigilErrorCode): SigilErrorCode {
  return code === 'key_unknown' ? 'signature_invalid' : code;
}

const MESSAGES: Record<SigilErrorCode, string> = {
  signature_missing: 'the request carries no signature',
  signature_header_malformed: 'the signature header is malformed',
  unsupported_version: 'the signature version is not supported',
  unsupported_algorithm: 'the signature algorithm is not supported',
  timestamp_out_of_window: 'the signature timestamp is outside the accepted window',
  header_not_signed: 'a header the verifier requires is not covered by the signature',
  signed_header_missing: 'a header covered by the signature is absent from the request',
  header_value_invalid: 'a signed header value contains a forbidden character',
  method_invalid: 'the request method is not a valid HTTP token',
  target_invalid: 'the request target is not a valid origin-form target',
  signature_in_query: 'the query string carries signature parameters',
  key_unknown: 'no active key matches the key id',
  signature_invalid: 'signature verification failed',
  nonce_replayed: 'the nonce has already been used',
  content_digest_mismatch: 'the Content-Digest does not match the body',
  webhook_header_missing: 'a header the webhook scheme requires is absent',
  webhook_header_malformed: 'a webhook id or timestamp header is malformed',
  insecure_transport: 'signed requests require HTTPS',
  key_scope_denied: 'the key is not allowed for this method or path',
  body_too_large: 'the body exceeds the configured limit',
  body_read_failed: 'the request body could not be read',
  nonce_store_full: 'the nonce store is full',
  nonce_store_unavailable: 'the nonce store is unavailable',
  key_lookup_unavailable: 'the key resolver failed',
  invalid_key: 'the key is invalid',
  invalid_option: 'an option is invalid',
  origin_not_allowed: 'the key may not be sent to this origin',
  redirect_cross_origin: 'refused to follow a redirect to another origin with a signature',
  too_many_redirects: 'too many redirects',
  redirect_opaque: 'the runtime hid the redirect (an opaque redirect), so it cannot be followed with a signature',
  body_unsupported: 'the request body type cannot be signed',
  destination_not_allowed: 'the webhook destination is not allowed',
  response_signature_missing: 'the response carries no signature',
  response_signature_malformed: 'the response signature header is malformed',
  response_status_invalid: 'the response status is not a final status of 200 to 599',
  response_signature_invalid: 'response signature verification failed',
  vector_invalid: 'the test vector file is invalid',
};

const BRAND = Symbol.for('sigil.error');

/** Options accepted by every Sigil error constructor. */
export interface SigilErrorOptions {
  /** The underlying error. Never pass one whose message may hold a secret. */
  cause?: unknown;
  /**
   * A precise, secret-free detail (an option name, a limit, a parameter
   * name). Appended to the message. Never a received value.
   */
  detail?: string;
}

/**
 * Base class of every Sigil error.
 *
 * @example
 * try { signRequest(req, key, { keyId: 'k' }) } catch (e) {
 *   if (isSigilError(e) && e.code === 'header_value_invalid') { ... }
 * }
 */
export class SigilError extends Error {
  /** Stable machine-readable code. */
  readonly code: SigilErrorCode;
  /** HTTP status a verifier answers with for this code. */
  readonly status: number;

  constructor(code: SigilErrorCode, options: SigilErrorOptions = {}) {
    const base = MESSAGES[code];
    super(options.detail ? `${base}: ${options.detail}` : base, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SigilError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }

  /** Survives duplicate installs of the package (two copies of core). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Code and message only: a serialised error never carries a cause chain. */
  toJSON(): { name: string; code: SigilErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
Object.defineProperty(SigilError.prototype, BRAND, { value: true });

/**
 * True when `value` is a SigilError from any copy of this package.
 *
 * @example
 * if (isSigilError(err, 'nonce_replayed')) res.statusCode = 401;
 */
export function isSigilError(value: unknown, code?: SigilErrorCode): value is SigilError {
  return value instanceof SigilError && (code === undefined || value.code === code);
}

/** Every code, in table order; used by docs and tests. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as SigilErrorCode[];
