// @sigil/core/webhooks: verify (and sign) what webhook senders sign.
// Pure and synchronous; the clock is an argument. See SPEC.md section
// "Webhook schemes" and docs/webhooks/.
export { standardWebhooksScheme, parseStandardWebhook, verifyStandardWebhook, signStandardWebhook } from './standard-webhooks.js';
export type { SignStandardWebhookInput, StandardWebhookHeaders } from './standard-webhooks.js';
export { stripeScheme, parseStripeSignature, verifyStripeWebhook, signStripeWebhook } from './stripe.js';
export type { SignStripeWebhookInput } from './stripe.js';
export { githubScheme, parseGithubSignature, verifyGithubWebhook, signGithubWebhook } from './github.js';
export { slackScheme, parseSlackSignature, verifySlackWebhook, signSlackWebhook } from './slack.js';
export { shopifyScheme, parseShopifySignature, verifyShopifyWebhook, signShopifyWebhook } from './shopify.js';
export { generateWebhookSecret, parseWebhookSecret, WHSEC_PREFIX } from './lib/secrets.js';
export { replayKey, DEFAULT_TOLERANCE_SECONDS } from './lib/scheme.js';
export type { OneShotVerifyOptions } from './lib/scheme.js';
export { MAX_SIGNATURES } from './lib/grammar.js';
export { webhookSchemes } from './schemes.js';
export { webhookVectorSchema, webhookVectorFileSchema, parseWebhookVectorFile, webhookVectorJsonSchema, runWebhookVector, vectorBytes, vectorField } from './vectors.js';
export type { WebhookVector, WebhookVectorFile, WebhookPositiveVector, WebhookNegativeVector, WebhookVectorBytes } from './vectors.js';
export type {
  WebhookClaim,
  WebhookCoverage,
  WebhookRefused,
  WebhookReplay,
  WebhookRequest,
  WebhookScheme,
  WebhookSchemeName,
  WebhookSchemeOptions,
  WebhookSecrets,
  WebhookVerified,
  WebhookVerifyResult,
} from './lib/types.js';
