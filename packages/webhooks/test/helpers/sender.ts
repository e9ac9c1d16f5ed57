// Shared setup: a secret, a sender with test-friendly timings, and a
// verification of a recorded delivery with Sigil's own verifier.
import { generateWebhookSecret, verifyStandardWebhook } from '@sigil/core/webhooks';
import { createWebhookSender, type WebhookEvent, type WebhookSenderOptions } from '@sigil/webhooks';
import type { Delivery } from './receiver.js';

export const SECRET = generateWebhookSecret();

/** A sender allowed to reach loopback receivers over HTTP, with short waits. */
export function loopbackSender(options: Partial<WebhookSenderOptions> = {}) {
  const events: WebhookEvent[] = [];
  const sender = createWebhookSender({
    secrets: SECRET,
    allowHttp: true,
    allow: { cidrs: ['127.0.0.0/8', '::1/128'] },
    initialDelayMs: 5,
    maxDelayMs: 50,
    timeoutMs: 2_000,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { sender, events };
}

/** Verifies a recorded delivery with core's Standard Webhooks verifier. */
export function verifyDelivery(delivery: Delivery, secrets: string | readonly string[] = SECRET) {
  const headers = Object.entries(delivery.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []));
  return verifyStandardWebhook({ headers, body: new Uint8Array(delivery.body) }, { secrets, now: Math.floor(Date.now() / 1000) });
}
