// What a sender reports, once per attempt, and what a delivery resolves to.
// Neither carries the secret, the signature, the payload, the URL's path or
// query (customers put tokens there) or a refused address.
import type { SigilError } from '@sigil/core';
import type { TransportError } from './lib/attempt.js';
import type { DestinationRule } from './lib/destination.js';

/**
 * One attempt of one delivery.
 *
 * @example
 * createWebhookSender({ secrets, onEvent: (e) => log.info(e, 'webhook attempt') });
 */
export interface WebhookEvent {
  readonly type: 'webhook.attempt';
  /** The webhook-id: the same on every attempt of a delivery. */
  readonly id: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Scheme, host and port of the URL tried (a redirect hop's, when one was followed). */
  readonly origin: string;
  /** `delivered`, `retry` (another attempt follows after `nextDelayMs`) or `failed` (the last). */
  readonly outcome: 'delivered' | 'retry' | 'failed';
  /** The HTTP status, when a response came. */
  readonly statusCode?: number;
  /** Why no response came. */
  readonly error?: TransportError;
  /** The rule that refused the destination. */
  readonly rule?: DestinationRule;
  /** Milliseconds from the start of the attempt to its end. */
  readonly latencyMs: number;
  /** The wait before the next attempt, for `retry`. */
  readonly nextDelayMs?: number;
}

/** Why a delivery failed. */
export type WebhookFailureReason =
  /** The URL's scheme or an address is not allowed (see `rule`); never retried. */
  | 'destination_not_allowed'
  /** A final 4xx (anything but 408 and 429). */
  | 'rejected'
  /** A 3xx that was not followed (maxRedirects, or not 307/308), or a redirect chain that was too long. */
  | 'redirect'
  /** Every attempt failed with a retryable status or error. */
  | 'attempts_exhausted'
  /** The next wait (backoff or Retry-After) would end past maxTotalMs. */
  | 'deadline'
  /** The caller's signal aborted. */
  | 'aborted';

/** A delivery the receiver accepted (2xx). */
export interface WebhookDelivered {
  readonly ok: true;
  readonly id: string;
  readonly attempts: number;
  readonly statusCode: number;
  readonly durationMs: number;
}

/** A delivery that did not succeed. */
export interface WebhookFailed {
  readonly ok: false;
  readonly id: string;
  readonly reason: WebhookFailureReason;
  readonly attempts: number;
  readonly durationMs: number;
  /** The last HTTP status, when a response came. */
  readonly statusCode?: number;
  /** The last transport error, when no response came. */
  readonly error?: TransportError;
  /** For destination_not_allowed: the rule, e.g. `private`, `loopback`, `scheme`. */
  readonly rule?: DestinationRule;
  /** For destination_not_allowed: the typed error (`code: 'destination_not_allowed'`). */
  readonly cause?: SigilError;
}

/** What send() resolves to. */
export type WebhookResult = WebhookDelivered | WebhookFailed;
