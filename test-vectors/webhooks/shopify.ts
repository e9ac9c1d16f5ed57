// Shopify vectors. Shopify publishes no example with its secret; these are
// generated and checked against an independent HMAC in the Python reference.
import { signShopifyWebhook } from '../../packages/core/src/webhooks/shopify.js';
import type { WebhookNegativeVector, WebhookPositiveVector } from '../../packages/core/src/webhooks/vectors.js';
import { BINARY_BODY, header, hmacHex, JSON_BODY, negative, NOW, positive, SHOPIFY_SECRET, utf8, withHeader, withLine, type Delivery } from './fixtures.js';

const scheme = 'shopify' as const;

function sh(body: Uint8Array | string, secret = SHOPIFY_SECRET): Delivery {
  const bytes = typeof body === 'string' ? utf8(body) : body;
  return {
    headers: [
      ['X-Shopify-Topic', 'orders/create'],
      ['X-Shopify-Webhook-Id', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043'],
      ['X-Shopify-Hmac-Sha256', signShopifyWebhook({ body: bytes, secret })['x-shopify-hmac-sha256']],
    ],
    body: bytes,
  };
}

const ONE = sh(JSON_BODY);
const SIG = header(ONE, 'X-Shopify-Hmac-Sha256');

export function shopifyPositive(): WebhookPositiveVector[] {
  const c = { scheme, secrets: [SHOPIFY_SECRET], now: NOW };
  return [
    positive({ ...c, id: 'shopify-json-body', title: 'Shopify: base64 HMAC of the body, X-Shopify-Webhook-Id reported (not signed)', delivery: ONE }),
    positive({ ...c, id: 'shopify-binary-body', title: 'Shopify: a body that is not UTF-8 is MACed as raw bytes', delivery: sh(BINARY_BODY) }),
    positive({ ...c, id: 'shopify-rotation', title: 'Shopify: the verifier holds [new, old] during a client secret rotation', secrets: ['shpss_new', SHOPIFY_SECRET], delivery: ONE }),
  ];
}

export function shopifyNegative(): WebhookNegativeVector[] {
  const c = { scheme, secrets: [SHOPIFY_SECRET], now: NOW };
  return [
    negative({ ...c, id: 'shopify-tampered-body', title: 'Shopify: the body changed after signing', delivery: { ...ONE, body: utf8(JSON_BODY.replace('in_1', 'in_2')) }, code: 'signature_invalid' }),
    negative({ ...c, id: 'shopify-wrong-secret', title: 'Shopify: signed with another secret', delivery: sh(JSON_BODY, 'shpss_other'), code: 'signature_invalid' }),
    negative({ ...c, id: 'shopify-missing', title: 'Shopify: no X-Shopify-Hmac-Sha256', delivery: withHeader(ONE, 'X-Shopify-Hmac-Sha256', undefined), code: 'signature_missing' }),
    negative({ ...c, id: 'shopify-hex-not-base64', title: 'Shopify: the MAC in hex instead of base64', delivery: withHeader(ONE, 'X-Shopify-Hmac-Sha256', hmacHex(SHOPIFY_SECRET, JSON_BODY)), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'shopify-unpadded', title: 'Shopify: base64 without its padding', delivery: withHeader(ONE, 'X-Shopify-Hmac-Sha256', SIG.replace(/=+$/, '')), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'shopify-two-lines', title: 'Shopify: two X-Shopify-Hmac-Sha256 field lines', delivery: withLine(ONE, 'X-Shopify-Hmac-Sha256', SIG), code: 'signature_header_malformed' }),
  ];
}
