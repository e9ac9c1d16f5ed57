import { isKeyId, LIMITS, SigilError } from '@sigil/core';

// A nonce as every Sigil scheme hands it to a store: base64url, never
// padded, never with whitespace or a separator (SPEC.md section 3.3 asks 22
// or more; the store only needs the character set to keep keys unambiguous).
const NONCE_CHARS = /^[A-Za-z0-9_-]+$/;

const invalid = (detail: string) => new SigilError('invalid_option', { detail });

/**
 * The argument checks every `NonceStore` runs before it touches storage, so
 * stores agree on what they refuse and how (the shared contract suite tests
 * it). Throws `SigilError('invalid_option')` naming the argument, never
 * echoing its value:
 * - `keyId`: a Sigil key id, 1 to 128 of `A-Z a-z 0-9 . _ ~ : -`;
 * - `nonce`: 1 to 128 base64url characters (no `=`, no `:`, no whitespace),
 *   so `<keyId>:<nonce>` splits at its last `:` and no store can fold a
 *   padded or trimmed nonce into another;
 * - `expiresAtMs`: finite and later than `nowMs`. A past expiry is a caller
 *   bug (seconds passed as milliseconds, a fake clock): a store that took it
 *   would forget the nonce at once and accept every replay.
 *
 * Returns `expiresAtMs` rounded up to a whole millisecond ("forgotten no
 * earlier than expiresAtMs").
 *
 * @example
 * async checkAndStore(keyId: string, nonce: string, expiresAtMs: number) {
 *   const at = checkNonceArguments(keyId, nonce, expiresAtMs);
 *   return (await this.db.insertIfAbsent(`${keyId}:${nonce}`, at)) === 1;
 * }
 */
export function checkNonceArguments(keyId: string, nonce: string, expiresAtMs: number, nowMs: number = Date.now()): number {
  if (!isKeyId(keyId)) {
    throw invalid(`keyId must be a Sigil key id: 1 to ${LIMITS.keyId} of A-Z a-z 0-9 . _ ~ : -`);
  }
  if (typeof nonce !== 'string' || nonce.length > LIMITS.nonceMax || !NONCE_CHARS.test(nonce)) {
    throw invalid(`nonce must be 1 to ${LIMITS.nonceMax} base64url characters`);
  }
  if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs) || expiresAtMs <= nowMs) {
    throw invalid('expiresAtMs must be a finite time in the future, in milliseconds since the epoch');
  }
  return Math.ceil(expiresAtMs);
}
