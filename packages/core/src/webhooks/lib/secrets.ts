// How each scheme turns the secret its vendor shows into HMAC key bytes.
// The two readings of "whsec_..." are opposite, and both are right for
// their scheme:
//   - Standard Webhooks: "whsec_" is a prefix; the rest is base64 of the key bytes.
//   - Stripe: the whole string, prefix included, is the key, as UTF-8.
import { SigilError } from '../../errors.js';
import { base64Decode, base64Encode, utf8 } from '../../lib/encoding.js';

/** The prefix of Standard Webhooks (and Stripe) secrets. */
export const WHSEC_PREFIX = 'whsec_';
/** Key sizes the Standard Webhooks specification allows, in bytes. */
export const STANDARD_WEBHOOKS_KEY_BYTES = { min: 24, max: 64 } as const;
/** Longest UTF-8 secret accepted, in bytes. */
export const MAX_UTF8_SECRET_BYTES = 1024;

/**
 * The key bytes of a Standard Webhooks secret: `whsec_` followed by padded
 * standard base64 of 24 to 64 bytes. Throws `invalid_key` (never showing
 * the secret) for anything else.
 *
 * @example
 * const key = parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'); // 24 bytes
 */
export function parseWebhookSecret(secret: string): Uint8Array {
  if (typeof secret !== 'string' || !secret.startsWith(WHSEC_PREFIX)) {
    throw new SigilError('invalid_key', { detail: 'a Standard Webhooks secret starts with whsec_' });
  }
  const bytes = base64Decode(secret.slice(WHSEC_PREFIX.length));
  if (!bytes) throw new SigilError('invalid_key', { detail: 'a Standard Webhooks secret is whsec_ followed by base64' });
  if (bytes.length < STANDARD_WEBHOOKS_KEY_BYTES.min || bytes.length > STANDARD_WEBHOOKS_KEY_BYTES.max) {
    bytes.fill(0);
    throw new SigilError('invalid_key', { detail: `a Standard Webhooks key is ${STANDARD_WEBHOOKS_KEY_BYTES.min}-${STANDARD_WEBHOOKS_KEY_BYTES.max} bytes` });
  }
  return bytes;
}

/**
 * A fresh Standard Webhooks secret: `whsec_` + base64 of 32 CSPRNG bytes.
 *
 * @example
 * const secret = generateWebhookSecret(); // 'whsec_' + 44 characters
 */
export function generateWebhookSecret(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  const text = WHSEC_PREFIX + base64Encode(bytes);
  bytes.fill(0);
  return text;
}

/** The UTF-8 bytes of a vendor secret used as it is (Stripe, GitHub, Slack, Shopify): 1 to 1024 bytes. */
export function utf8Secret(secret: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) throw new SigilError('invalid_key', { detail: 'the secret is empty' });
  const bytes = utf8(secret);
  if (bytes.length > MAX_UTF8_SECRET_BYTES) {
    bytes.fill(0);
    throw new SigilError('invalid_key', { detail: `the secret is longer than ${MAX_UTF8_SECRET_BYTES} bytes` });
  }
  return bytes;
}
