// The one failure answer every adapter sends: the status, a JSON body holding
// only the public code (and, in debug mode, the server's canonical string),
// `WWW-Authenticate: Sigil` on 401 and Sigil-Server-Time on timestamp
// rejections. Never a received value.
import { SERVER_TIME_HEADER } from '@sigil/core';
import type { AnyVerificationSuccess, VerificationFailure, WebhookVerificationSuccess } from '../types.js';

/** A framework-neutral failure response. */
export interface FailureReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Builds the response for a rejected request. */
export function failureReply(failure: VerificationFailure): FailureReply {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  // RFC 9110 section 11.6.1: every 401 carries a challenge (SPEC.md section 4.1).
  if (failure.status === 401) headers['www-authenticate'] = 'Sigil';
  if (failure.serverTime !== undefined) headers[SERVER_TIME_HEADER] = String(failure.serverTime);
  // Debug mode adds what the server computed (the canonical string) or why it refused (the hint).
  const body = JSON.stringify({
    error: failure.publicCode,
    ...(failure.canonical === undefined ? {} : { canonical: failure.canonical }),
    ...(failure.hint === undefined ? {} : { hint: failure.hint }),
  });
  return { status: failure.status, headers, body };
}

/** A webhook delivery's success (it has no key id), for adapters that keep the two apart. */
export function isWebhookSuccess(result: AnyVerificationSuccess): result is WebhookVerificationSuccess {
  return !('keyId' in result);
}

/** A cheap structural check that adapters run once, at setup. */
export function assertVerifier(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null || typeof (value as { verify?: unknown }).verify !== 'function') {
    throw new TypeError(`${where}: expected a verifier from createVerifier()`);
  }
}
