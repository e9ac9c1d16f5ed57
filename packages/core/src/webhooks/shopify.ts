// Shopify webhooks: HMAC-SHA256 over the body alone, sent as
// `X-Shopify-Hmac-Sha256: <base64>`; the app's client secret is used as
// UTF-8. No timestamp is signed and `X-Shopify-Webhook-Id` is not covered
// by the MAC, so the replay key is the signed body and replay is bounded
// only by the retention. See docs/webhooks/shopify.md.
import { base64Encode } from '../lib/encoding.js';
import type { HeaderList, HeadersLike } from '../request.js';
import { bodyBytes } from './lib/body.js';
import { base64Mac, parseId, readHeader, readSignatureHeader } from './lib/grammar.js';
import { defineScheme, macAll, oneShotVerify, type OneShotVerifyOptions, type SchemeDefinition } from './lib/scheme.js';
import { utf8Secret } from './lib/secrets.js';
import type { WebhookClaim, WebhookRequest, WebhookScheme, WebhookSchemeOptions, WebhookVerifyResult } from './lib/types.js';

const SIGNATURE_HEADER = 'x-shopify-hmac-sha256';
const ID_HEADER = 'x-shopify-webhook-id';

/**
 * Parses `X-Shopify-Hmac-Sha256` (padded base64 of 32 bytes) and the
 * optional `X-Shopify-Webhook-Id`.
 *
 * @example
 * parseShopifySignature(headers).signatures.length; // 1
 */
export function parseShopifySignature(headers: HeaderList | HeadersLike): WebhookClaim {
  const signature = base64Mac(readSignatureHeader(headers, SIGNATURE_HEADER), SIGNATURE_HEADER);
  const raw = readHeader(headers, ID_HEADER);
  const id = raw === undefined ? undefined : parseId(raw, ID_HEADER);
  return { scheme: 'shopify', signatures: [signature], skipped: 0, ...(id === undefined ? {} : { id }), idSigned: false };
}

const definition: SchemeDefinition = {
  name: 'shopify',
  signatureHeader: SIGNATURE_HEADER,
  covers: { body: true, timestamp: false, id: false },
  // Shopify retries a failed delivery 8 times over 4 hours; a day covers it with margin.
  defaultRetentionSeconds: 86_400,
  secretBytes: utf8Secret,
  parse: parseShopifySignature,
  signedContent: (_claim, body) => body,
};

/**
 * The Shopify scheme.
 *
 * @example
 * const scheme = shopifyScheme({ secrets: process.env.SHOPIFY_API_SECRET! });
 */
export const shopifyScheme: (options: WebhookSchemeOptions) => WebhookScheme = defineScheme(definition);

/**
 * Verifies one Shopify delivery. `now` is unused (Shopify signs no time).
 *
 * @example
 * const result = verifyShopifyWebhook({ headers, body }, { secrets, now: 0 });
 */
export const verifyShopifyWebhook: (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult = oneShotVerify(shopifyScheme);

/**
 * Signs like Shopify: base64 HMAC-SHA256 of the body.
 *
 * @example
 * signShopifyWebhook({ body, secret });
 */
export function signShopifyWebhook(input: { readonly body: Uint8Array | string; readonly secret: string }): { readonly 'x-shopify-hmac-sha256': string } {
  const [mac] = macAll(definition, input.secret, bodyBytes(input.body, definition.name));
  return { 'x-shopify-hmac-sha256': base64Encode(mac!) };
}
