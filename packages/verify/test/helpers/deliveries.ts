// Webhook deliveries signed the way each sender signs them, by the vendors'
// own npm libraries where one exists (standardwebhooks, stripe's
// generateTestHeaderString, @octokit/webhooks-methods) and by node:crypto for
// Slack and Shopify (no vendor signing library on npm). Never by Sigil: these
// are what Sigil's verifiers must accept. Shared by the TypeScript adapter
// suite (webhooks-adapters.test.ts) and the Flask one (examples/test).
import { createHmac, randomBytes } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import type { WebhookSchemeName } from '@sigil/core/webhooks';
import { generateWebhookSecret } from '@sigil/core/webhooks';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

/** Header name → value, as a fetch or undici request sends them. */
export type DeliveryHeaders = Record<string, string>;

/** Fresh secrets for each scheme, read as each vendor shows them (Standard Webhooks: two, a rotation). */
export function vendorSecrets(): Record<WebhookSchemeName, string[]> {
  return {
    'standard-webhooks': [generateWebhookSecret(), generateWebhookSecret()],
    stripe: [`whsec_${randomBytes(24).toString('hex')}`],
    github: [randomBytes(20).toString('hex')],
    slack: [randomBytes(16).toString('hex')],
    shopify: [`shpss_${randomBytes(16).toString('hex')}`],
  };
}

const stripe = new Stripe('sk_test_sigil_interop_not_a_real_key');
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** standardwebhooks (npm) signs `id.timestamp.payload`. */
export function standardWebhooksHeaders(secret: string, id: string, payload: string, at = new Date()): DeliveryHeaders {
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds(at)), 'webhook-signature': new Webhook(secret).sign(id, at, payload) };
}

/** stripe (npm) generateTestHeaderString: `t=..,v1=..`. */
export function stripeHeaders(secret: string, payload: string, at = new Date()): DeliveryHeaders {
  return { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: seconds(at) }) };
}

/** @octokit/webhooks-methods sign: `sha256=<hex>` over the body; the delivery id is not signed. */
export async function githubHeaders(secret: string, payload: string, delivery?: string): Promise<DeliveryHeaders> {
  return { 'x-hub-signature-256': await octokitSign(secret, payload), ...(delivery ? { 'x-github-delivery': delivery } : {}) };
}

/** Slack's documented recipe with node:crypto: `v0=` hex HMAC of `v0:ts:body`. */
export function slackHeaders(secret: string, payload: string, at = new Date()): DeliveryHeaders {
  const ts = String(seconds(at));
  return { 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${payload}`).digest('hex')}`, 'x-slack-request-timestamp': ts };
}

/** Shopify's documented recipe with node:crypto: base64 HMAC of the body; the webhook id is not signed. */
export function shopifyHeaders(secret: string, payload: string, id?: string): DeliveryHeaders {
  return { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(payload).digest('base64'), ...(id ? { 'x-shopify-webhook-id': id } : {}) };
}
