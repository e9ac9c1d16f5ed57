import { SigilError } from '@sigil/core';
import { verifierOf } from './create-verifier.js';
import { settlePolicy } from './lib/policy.js';
import { isWebhookScheme } from './lib/scheme-webhook.js';
import type { WebhookVerifierOptions } from './options.js';
import type { Verifier, WebhookVerificationSuccess } from './types.js';

/** The verifier options that apply to webhook schemes; the others belong to Sigil's own schemes. */
const APPLIES = new Set(['schemes', 'nonceStore', 'replay', 'maxBodyBytes', 'requireHttps', 'allowInsecureHttp', 'trustProxy', 'clock', 'onEvent']);

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail });
}

/**
 * Creates a verifier of webhook deliveries: the same pipeline, adapters,
 * events and nonce store as `createVerifier()`, typed for webhooks (its
 * successes are WebhookVerificationSuccess: the scheme, the secret that
 * matched, the sender's id). Options are validated now; a bad one throws
 * `SigilError('invalid_option')` naming it. Each scheme carries its own
 * secrets (several during a rotation), tolerance and replay retention.
 *
 * @example
 * import { githubScheme, stripeScheme } from '@sigil/core/webhooks';
 * import { createWebhookVerifier, MemoryNonceStore } from '@sigil/verify';
 *
 * const webhooks = createWebhookVerifier({
 *   schemes: [stripeScheme({ secrets: [process.env.STRIPE_WEBHOOK_SECRET!] }), githubScheme({ secrets: [process.env.GITHUB_WEBHOOK_SECRET!] })],
 *   nonceStore: new MemoryNonceStore(),
 * });
 * const result = await webhooks.verify({ method: 'POST', target: '/hooks', headers, body });
 * if (result.ok) console.log(result.scheme, result.id);
 */
export function createWebhookVerifier(options: WebhookVerifierOptions): Verifier<WebhookVerificationSuccess> {
  if (typeof options !== 'object' || options === null) throw invalid('createWebhookVerifier() needs an options object');
  for (const name of Object.keys(options)) {
    if (!APPLIES.has(name)) throw invalid(`${name} does not apply to webhook schemes (set tolerance and retention on each scheme; use createVerifier for Sigil's own schemes)`);
  }
  const { schemes } = options;
  if (!Array.isArray(schemes) || schemes.length === 0) throw invalid('schemes: expected at least one webhook scheme from @sigil/core/webhooks');
  schemes.forEach((scheme: unknown, i) => {
    if (!isWebhookScheme(scheme)) throw invalid(`schemes.${i}: expected a webhook scheme from @sigil/core/webhooks (standardWebhooksScheme(...), stripeScheme(...), ...)`);
  });
  return verifierOf<WebhookVerificationSuccess>(settlePolicy(options));
}
