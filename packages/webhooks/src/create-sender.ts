// createWebhookSender(): Standard Webhooks deliveries to customer URLs,
// signed afresh on every attempt under one webhook-id, retried with
// backoff, and never sent to an address in a blocked range.
import { isSigilError } from '@sigil/core';
import { signStandardWebhook } from '@sigil/core/webhooks';
import { attempt, type AttemptOutcome } from './lib/attempt.js';
import { checkUrl, LookupFailed, refused, refusedRule, resolveDestination, type DestinationPolicy } from './lib/destination.js';
import { buildMessage, type WebhookMessage } from './lib/message.js';
import { backoffDelay, retryableStatus, retryAfterMs, sleep } from './lib/schedule.js';
import type { WebhookEvent, WebhookFailed, WebhookResult } from './events.js';
import { resolveOptions, type ResolvedOptions, type WebhookSenderOptions } from './options.js';

/** Per-call options of send(). */
export interface SendOptions {
  /** Cancels the delivery at any point: resolution, connect, response, or a wait between attempts. */
  readonly signal?: AbortSignal;
}

/** A configured sender. Holds no connection between deliveries. */
export interface WebhookSender {
  /**
   * Delivers one message to `url`. Resolves to a result for every delivery
   * outcome (refused destinations included); rejects only for a bad message
   * (`invalid_option`, `body_too_large`).
   */
  send(url: string | URL, message: WebhookMessage, options?: SendOptions): Promise<WebhookResult>;
}

const REDIRECTS = new Set([307, 308]);

type Hop =
  | { readonly kind: 'outcome'; readonly origin: string; readonly outcome: AttemptOutcome }
  | { readonly kind: 'refused'; readonly origin: string; readonly error: unknown }
  | { readonly kind: 'redirect_not_followed'; readonly origin: string; readonly statusCode: number };

/** One attempt, following up to maxRedirects 307/308 hops, each checked again from scratch. */
async function attemptWithRedirects(
  options: ResolvedOptions,
  policy: DestinationPolicy,
  start: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Hop> {
  let url = start;
  for (let hop = 0; ; hop++) {
    let destination;
    try {
      const lookupSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      destination = await resolveDestination(url, policy, lookupSignal);
    } catch (error) {
      if (signal?.aborted) return { kind: 'outcome', origin: url.origin, outcome: { kind: 'aborted' } };
      if (error instanceof LookupFailed) return { kind: 'outcome', origin: url.origin, outcome: { kind: 'error', error: 'dns' } };
      if (isSigilError(error, 'destination_not_allowed')) return { kind: 'refused', origin: url.origin, error };
      // The lookup signal's own timeout.
      return { kind: 'outcome', origin: url.origin, outcome: { kind: 'error', error: 'timeout' } };
    }
    const outcome = await attempt({ destination, headers, body, timeoutMs, maxResponseBytes: options.maxResponseBytes, tls: options.tls, signal });
    if (outcome.kind !== 'response' || outcome.statusCode < 300 || outcome.statusCode > 399) return { kind: 'outcome', origin: url.origin, outcome };
    if (!REDIRECTS.has(outcome.statusCode) || outcome.location === undefined || hop >= options.maxRedirects) {
      return { kind: 'redirect_not_followed', origin: url.origin, statusCode: outcome.statusCode };
    }
    try {
      url = checkUrl(new URL(outcome.location, url), options.allowHttp);
    } catch (error) {
      return { kind: 'refused', origin: url.origin, error: isSigilError(error) ? error : refused('invalid-url') };
    }
  }
}

/**
 * Creates a webhook sender. Options are validated here: a bad one throws
 * `invalid_option` naming it.
 *
 * @example
 * import { generateWebhookSecret } from '@sigil/core/webhooks';
 * import { createWebhookSender } from '@sigil/webhooks';
 *
 * const sender = createWebhookSender({ secrets: process.env.WEBHOOK_SECRET! }); // from generateWebhookSecret()
 * const result = await sender.send(customer.webhookUrl, { type: 'invoice.paid', payload: { invoice: 'in_1' } });
 * if (!result.ok) log.warn({ id: result.id, reason: result.reason, rule: result.rule }, 'webhook not delivered');
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const resolved = resolveOptions(options);
  const { clock } = resolved;
  const policy: DestinationPolicy = {
    allowHttp: resolved.allowHttp,
    allowCidrs: resolved.allowCidrs,
    allowHosts: resolved.allowHosts,
    ...(resolved.lookup ? { lookup: resolved.lookup } : {}),
  };
  const emit = (event: WebhookEvent) => {
    try {
      resolved.onEvent?.(event);
    } catch {
      // A failing listener must not change a delivery.
    }
  };

  async function send(url: string | URL, message: WebhookMessage, sendOptions: SendOptions = {}): Promise<WebhookResult> {
    const startMs = clock();
    const { id, body } = buildMessage(message, startMs, resolved.maxPayloadBytes);
    const signal = sendOptions.signal;
    const deadline = startMs + resolved.maxTotalMs;
    const elapsed = () => clock() - startMs;
    const failed = (fields: Omit<WebhookFailed, 'ok' | 'id' | 'durationMs'>): WebhookFailed => ({ ok: false, id, durationMs: elapsed(), ...fields });

    let start: URL;
    try {
      start = checkUrl(url, resolved.allowHttp);
    } catch (error) {
      const rule = refusedRule(error)!;
      emit({ type: 'webhook.attempt', id, attempt: 1, origin: 'null', outcome: 'failed', rule, latencyMs: 0 });
      return failed({ reason: 'destination_not_allowed', attempts: 0, rule, ...(isSigilError(error) ? { cause: error } : {}) });
    }

    for (let n = 1; ; n++) {
      if (signal?.aborted) return failed({ reason: 'aborted', attempts: n - 1 });
      const remaining = deadline - clock();
      if (remaining <= 0) return failed({ reason: 'deadline', attempts: n - 1 });
      // A fresh timestamp on every attempt; the id stays.
      const signed = signStandardWebhook({ id, timestamp: Math.floor(clock() / 1000), body, secrets: resolved.secrets });
      const headers = { ...signed, 'content-type': 'application/json', 'user-agent': resolved.userAgent };
      const t0 = performance.now();
      const hop = await attemptWithRedirects(resolved, policy, start, headers, body, Math.min(resolved.timeoutMs, remaining), signal);
      const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
      const base = { type: 'webhook.attempt', id, attempt: n, origin: hop.origin, latencyMs } as const;

      if (hop.kind === 'refused') {
        const rule = refusedRule(hop.error) ?? 'invalid-address';
        emit({ ...base, outcome: 'failed', rule });
        return failed({ reason: 'destination_not_allowed', attempts: n, rule, ...(isSigilError(hop.error) ? { cause: hop.error } : {}) });
      }
      if (hop.kind === 'redirect_not_followed') {
        emit({ ...base, outcome: 'failed', statusCode: hop.statusCode });
        return failed({ reason: 'redirect', attempts: n, statusCode: hop.statusCode });
      }
      const { outcome } = hop;
      if (outcome.kind === 'aborted') return failed({ reason: 'aborted', attempts: n });
      const detail = outcome.kind === 'response' ? { statusCode: outcome.statusCode } : { error: outcome.error };
      if (outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode <= 299) {
        emit({ ...base, outcome: 'delivered', statusCode: outcome.statusCode });
        return { ok: true, id, attempts: n, statusCode: outcome.statusCode, durationMs: elapsed() };
      }
      if (outcome.kind === 'response' && !retryableStatus(outcome.statusCode)) {
        emit({ ...base, outcome: 'failed', ...detail });
        return failed({ reason: 'rejected', attempts: n, ...detail });
      }
      if (n >= resolved.maxAttempts) {
        emit({ ...base, outcome: 'failed', ...detail });
        return failed({ reason: 'attempts_exhausted', attempts: n, ...detail });
      }
      const asked = outcome.kind === 'response' ? retryAfterMs(outcome.retryAfter, clock()) : undefined;
      const delay = asked === undefined ? backoffDelay(n, resolved) : Math.min(asked, resolved.maxRetryAfterMs);
      if (clock() + delay >= deadline) {
        emit({ ...base, outcome: 'failed', ...detail });
        return failed({ reason: 'deadline', attempts: n, ...detail });
      }
      emit({ ...base, outcome: 'retry', ...detail, nextDelayMs: delay });
      try {
        await sleep(delay, signal);
      } catch {
        return failed({ reason: 'aborted', attempts: n, ...detail });
      }
    }
  }

  return { send };
}
