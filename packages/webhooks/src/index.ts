// @sigil/webhooks: send Standard Webhooks deliveries to customer URLs,
// safely. See README.md ("Sending webhooks").
export { createWebhookSender } from './create-sender.js';
export type { SendOptions, WebhookSender } from './create-sender.js';
export type { WebhookSenderOptions, WebhookTlsOptions } from './options.js';
export type { WebhookMessage } from './lib/message.js';
export type { WebhookEvent, WebhookResult, WebhookDelivered, WebhookFailed, WebhookFailureReason } from './events.js';
export type { WebhookLookup, LookupAnswer, DestinationRule } from './lib/destination.js';
export type { TransportError } from './lib/attempt.js';
export type { BlockRule, BlockedRange } from './lib/ip.js';
export { BLOCKED_RANGES, EMBEDDED_V4 } from './lib/ip.js';
export { generateWebhookSecret } from '@sigil/core/webhooks';
