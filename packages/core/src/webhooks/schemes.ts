import { githubScheme } from './github.js';
import type { WebhookScheme, WebhookSchemeName, WebhookSchemeOptions } from './lib/types.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { standardWebhooksScheme } from './standard-webhooks.js';
import { stripeScheme } from './stripe.js';

/**
 * Every scheme factory by name, for tools that take the scheme as a string
 * (`sigil webhook verify --scheme stripe`, the vector runner).
 *
 * @example
 * const scheme = webhookSchemes.stripe({ secrets });
 */
export const webhookSchemes: Readonly<Record<WebhookSchemeName, (options: WebhookSchemeOptions) => WebhookScheme>> = Object.freeze({
  'standard-webhooks': standardWebhooksScheme,
  stripe: stripeScheme,
  github: githubScheme,
  slack: slackScheme,
  shopify: shopifyScheme,
});
