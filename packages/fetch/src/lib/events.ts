// Client audit events: one secret-free record per signed attempt, refusal,
// redirect hop and clock-skew retry. Built here, in one place, so no event
// can pick up a header value, a nonce, a MAC or the body by accident.
import { isSigilError, type SigilErrorCode } from '@sigil/core';
import type { AcceptRefusal } from './accept-signature.js';

/**
 * A structured, secret-free record of something the signing client did, for
 * audit logs and metrics. Never carries the secret, the MAC, the nonce, a
 * header value, the body or the query string.
 *
 * - `signed`: a signature was made and the attempt sent (each redirect hop
 *   and retry is its own attempt);
 * - `refused`: the client refused before sending (`code` says why:
 *   `origin_not_allowed`, `insecure_transport`, `redirect_cross_origin`,
 *   `body_too_large`...);
 * - `redirect`: a redirect is being followed to `origin`/`path`, `signed`
 *   tells whether that hop carries a signature;
 * - `retry`: the server rejected the timestamp and sent its clock; the
 *   client corrected its offset and signs once more;
 * - `clock-refused`: the server rejected the timestamp and sent a clock the
 *   client does not believe (`reason`: `skew`, further than
 *   `maxClockSkewSeconds` from the local clock; `transport`, not over TLS
 *   nor from loopback). Nothing is learned or resent: the 401 is returned;
 * - `response-verified`: with `verifyResponses`, the response to a signed
 *   attempt carried a valid response signature bound to it (`status`); a
 *   response that fails is a `refused` event with its code
 *   (`response_signature_invalid`, `signature_invalid`...);
 * - `accept-signature`: with `acceptSignature`, a 401 asked for more
 *   components (RFC 9421 Accept-Signature) and the client signs once more
 *   as asked (`status` 401);
 * - `accept-signature-refused`: a 401's Accept-Signature asked for what the
 *   client's policy does not allow (`reason`: `keyid`, `alg`, `tag`,
 *   `component`, `limit`, `malformed`, `retried`). Nothing is resent: the
 *   401 is returned.
 *
 * @example
 * const signedFetch = createSigningFetch({
 *   keyId: 'client-1', secret, origins: ['https://api.example.com'],
 *   onEvent: (e) => logger.info({ sigil: e }, `sigil ${e.type}`),
 * });
 */
export interface SigningEvent {
  readonly type: 'signed' | 'refused' | 'redirect' | 'retry' | 'clock-refused' | 'response-verified' | 'accept-signature' | 'accept-signature-refused';
  /** `refused`: the SigilError code; `retry`, `clock-refused`: `timestamp_out_of_window`. */
  readonly code?: SigilErrorCode;
  /** The key id configured (not secret). */
  readonly keyId: string;
  readonly method: string;
  /** `scheme://host[:port]` the request goes (or would have gone) to. */
  readonly origin: string;
  /** The path without its query string. */
  readonly path: string;
  /** `redirect`: the 3xx status followed; `retry`, `clock-refused`: 401. */
  readonly status?: number;
  /** `redirect`: whether the next hop is signed. */
  readonly signed?: boolean;
  /** `clock-refused`: why the server's clock was not believed; `accept-signature-refused`: why the request was not re-signed. */
  readonly reason?: 'skew' | 'transport' | AcceptRefusal;
  /** `retry`, `clock-refused`: the server's clock minus ours, in seconds. */
  readonly offsetSeconds?: number;
}

/** What the client may add to an event besides its place. */
type Extra = Pick<SigningEvent, 'code' | 'status' | 'signed' | 'reason' | 'offsetSeconds'>;

/** @internal The configured hook, or undefined. */
export type EventSink = ((event: SigningEvent) => void) | undefined;

/** @internal The path of an origin-form target, without its query. */
export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** @internal Sends one event; a failing hook never changes what the client does. */
export function emit(
  sink: EventSink,
  type: SigningEvent['type'],
  at: { keyId: string; method: string; origin: string; target: string },
  extra: Extra = {},
): void {
  if (!sink) return;
  const event: SigningEvent = { type, keyId: at.keyId, method: at.method, origin: at.origin, path: pathOf(at.target), ...extra };
  try {
    sink(event);
  } catch {
    // An audit or metrics hook must never break a request.
  }
}

/** @internal Emits `refused` when `error` is a SigilError; returns it for rethrowing. */
export function refused(sink: EventSink, error: unknown, at: { keyId: string; method: string; origin: string; target: string }): unknown {
  if (isSigilError(error)) emit(sink, 'refused', at, { code: error.code });
  return error;
}
