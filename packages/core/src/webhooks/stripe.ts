// Stripe webhooks: HMAC-SHA256 over `t "." body`, sent as
// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]` (several v1 while a
// secret is rolled). The secret is the WHOLE `whsec_...` string as UTF-8
// bytes: not base64-decoded, the opposite of Standard Webhooks. `v0`
// entries (Stripe's test-mode legacy scheme) are never accepted, so a
// header cannot be downgraded; other unknown schemes are skipped. See
// SPEC.md section "Webhook schemes" and docs/webhooks/stripe.md.
import { SigilError } from '../errors.js';
import { hexEncode } from '../lib/encoding.js';
import type { HeaderList, HeadersLike } from '../request.js';
import { bodyBytes, signTimestamp } from './lib/body.js';
import { checkEntryCount, hexMac, parseTimestamp, prefixed, readSignatureHeader, requireSignatures } from './lib/grammar.js';
import { defineScheme, macAll, oneShotVerify, type OneShotVerifyOptions, type SchemeDefinition } from './lib/scheme.js';
import { utf8Secret } from './lib/secrets.js';
import type { WebhookClaim, WebhookRequest, WebhookScheme, WebhookSchemeOptions, WebhookSecrets, WebhookVerifyResult } from './lib/types.js';

const SIGNATURE_HEADER = 'stripe-signature';
const ITEM = /^([a-z0-9]{1,16})=([\x21-\x2b\x2d-\x7e]{1,512})$/;

/**
 * Parses `Stripe-Signature`: comma-separated `key=value` items, exactly one
 * `t`, one or more `v1` (64 lowercase hex digits). `v0` and unknown keys are
 * skipped; a header without `v1` is `unsupported_version`.
 *
 * @example
 * parseStripeSignature(headers).timestamp; // 1492774577
 */
export function parseStripeSignature(headers: HeaderList | HeadersLike): WebhookClaim {
  const header = readSignatureHeader(headers, SIGNATURE_HEADER);
  const items = header.split(',');
  checkEntryCount(items.length - 1, SIGNATURE_HEADER);
  const signatures: Uint8Array[] = [];
  let timestampText: string | undefined;
  let skipped = 0;
  for (const item of items) {
    const match = ITEM.exec(item);
    if (!match) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} items are key=value separated by ","` });
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 't') {
      if (timestampText !== undefined) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} has more than one t` });
      timestampText = value;
    } else if (key === 'v1') {
      signatures.push(hexMac(value, `a ${SIGNATURE_HEADER} v1 value`));
    } else {
      // v0 included: never a candidate, whatever it holds.
      skipped++;
    }
  }
  if (timestampText === undefined) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} has no t` });
  const timestamp = parseTimestamp(timestampText, `${SIGNATURE_HEADER} t`);
  requireSignatures(signatures, SIGNATURE_HEADER);
  return { scheme: 'stripe', signatures, skipped, timestamp, timestampText, idSigned: false };
}

const definition: SchemeDefinition = {
  name: 'stripe',
  signatureHeader: SIGNATURE_HEADER,
  covers: { body: true, timestamp: true, id: false },
  // The replay key is the signed bytes (t and body): Stripe re-signs each
  // retry with a fresh t, so this blocks replays, not retries; dedupe
  // retries on the event id in the body. Beyond 2 x tolerance the
  // timestamp check refuses, so the default is just that (and at least 10 min).
  defaultRetentionSeconds: 600,
  secretBytes: utf8Secret,
  parse: parseStripeSignature,
  signedContent: (claim, body) => prefixed(`${claim.timestampText!}.`, body),
};

/**
 * The Stripe scheme. `secrets` are the endpoint's `whsec_...` signing
 * secrets exactly as the Dashboard shows them (the whole string is the key).
 *
 * @example
 * const scheme = stripeScheme({ secrets: [process.env.STRIPE_WEBHOOK_SECRET!] });
 */
export const stripeScheme: (options: WebhookSchemeOptions) => WebhookScheme = defineScheme(definition);

/**
 * Verifies one Stripe delivery.
 *
 * @example
 * const result = verifyStripeWebhook({ headers, body }, { secrets, now: Math.floor(Date.now() / 1000) });
 */
export const verifyStripeWebhook: (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult = oneShotVerify(stripeScheme);

/** Input of signStripeWebhook(). */
export interface SignStripeWebhookInput {
  readonly timestamp: number;
  readonly body: Uint8Array | string;
  /** `whsec_...` strings, used whole as UTF-8; one `v1` per secret. */
  readonly secrets: WebhookSecrets;
}

/**
 * Signs like Stripe: `t=<timestamp>,v1=<hex>` with one `v1` per secret.
 *
 * @example
 * const { 'stripe-signature': header } = signStripeWebhook({ timestamp: 1700000000, body, secrets: 'whsec_test' });
 */
export function signStripeWebhook(input: SignStripeWebhookInput): { readonly 'stripe-signature': string } {
  const t = signTimestamp(input.timestamp, definition.name);
  const macs = macAll(definition, input.secrets, prefixed(`${t}.`, bodyBytes(input.body, definition.name)));
  return { 'stripe-signature': [`t=${t}`, ...macs.map((mac) => `v1=${hexEncode(mac)}`)].join(',') };
}
