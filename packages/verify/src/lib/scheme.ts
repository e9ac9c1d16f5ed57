// What the one pipeline needs from a signature scheme. Steps 2 (screen),
// 3-4 (find and parse the signature), 6 (coverage), 9-10 (MAC) and what
// step 12 remembers are the scheme's (scheme-v1.ts, scheme-rfc9421.ts,
// scheme-webhook.ts); transport, window, keys, body, scope and the store are
// shared and live in checks.ts, which names no scheme.
import { ERROR_STATUS, publicCode, type SigilErrorCode, type SigilKey } from '@sigil/core';
import type { WebhookSchemeName } from '@sigil/core/webhooks';
import type { SignatureScheme, VerificationFailure, VerificationSuccess, VerifierRequest, WebhookVerificationSuccess } from '../types.js';
import type { Policy } from './policy.js';
import type { RequestBinding } from './response-binding.js';

/**
 * What a signature claims, for the shared steps: the window and the key
 * lookup. It says what it has: a scheme whose key comes from the endpoint's
 * configuration (a webhook secret) claims no key id, and a scheme that
 * checks its own signed time, or signs none, claims no `created`.
 */
export interface Claim {
  /** A valid key id (SPEC.md section 3.3); absent when the scheme holds its own secrets. */
  readonly keyId?: string;
  /** Unix seconds, checked against the verifier's window: v1 `ts`, RFC 9421 `created`. */
  readonly created?: number;
  /** Unix seconds after which the signature is void (RFC 9421 only). */
  readonly expires?: number;
}

/**
 * Step 12: what the nonce store remembers once the MAC passed, and until
 * when: `id` within `space`, both in the nonce store's syntax.
 */
export interface ReplayEntry {
  readonly space: string;
  readonly id: string;
  readonly expiresAtMs: number;
}

/** What a scheme with a key id adds to a success. */
export type SchemeDetails = Pick<VerificationSuccess, 'scheme' | 'algorithm' | 'signedHeaders' | 'components' | 'label' | 'expires'>;

/** What a scheme with its own secrets reports: the whole success but the body. */
export type EndpointDetails = Omit<WebhookVerificationSuccess, 'ok' | 'body'>;

/**
 * Steps 9-10: the matching key's index and what the scheme adds to the
 * success, or a failure (with the server's canonical string or base, for
 * debug mode).
 */
export type MacOutcome =
  | { readonly ok: true; readonly index: number; readonly details: SchemeDetails | EndpointDetails }
  | { readonly ok: false; readonly code: SigilErrorCode; readonly canonical?: string };

/** A parsed signature. Its methods throw only SigilErrors. */
export interface SchemeSignature {
  readonly claim: Claim;
  /**
   * Step 12: the entry to check and store, at the verifier's clock `nowMs`
   * (read after the body), for the body the MAC covered. The pipeline
   * re-checks the window before storing.
   */
  replay(policy: Policy, nowMs: number, body: Uint8Array): ReplayEntry;
  /** Step 6: every component or header the policy requires is covered (`header_not_signed`). */
  checkCoverage(): void;
  /** Steps 9-10 over the received body, trying each active key (none for a scheme with its own secrets). */
  /**
   * Steps 9-10. `uncovered` (response binding only, early-binding.ts): check
   * the MAC over what the signature covers, without requiring what the
   * policy requires (step 6 has already refused the request).
   */
  verifyMac(body: Uint8Array, keys: readonly SigilKey[], uncovered?: boolean): MacOutcome;
  /** What a response is bound to (SPEC.md section 11.5); absent for a scheme whose answers are never signed (webhooks). Called only when binding. */
  binding?(): RequestBinding;
}

/** The failure result every step returns. */
export function failure(code: SigilErrorCode, extra: { serverTime?: number; canonical?: string; hint?: string } = {}): VerificationFailure {
  return { ok: false, code, status: ERROR_STATUS[code], publicCode: publicCode(code), ...extra };
}

/**
 * One signature scheme, as a value: the pipeline (checks.ts) calls these and
 * names no scheme. Adding a scheme is adding one object of this shape.
 * `Found` is what detect saw, handed to parse so the field is scanned once.
 */
export interface Scheme<Found = unknown> {
  readonly name: SignatureScheme | WebhookSchemeName;
  /**
   * Where the key comes from: `request` (a key id the signature names,
   * looked up in `keys` at step 7, its scope checked at step 11) or
   * `endpoint` (the scheme's own configured secrets: no key id, no lookup,
   * no scope; events name the scheme instead).
   */
  readonly keys: 'request' | 'endpoint';
  /**
   * Step 2: a check run on every request while this scheme is accepted,
   * before any scheme is picked (v1 and RFC 9421: no signature in the query).
   * Schemes that share a check share the function: it runs once.
   */
  readonly screen?: (request: VerifierRequest) => SigilErrorCode | undefined;
  /**
   * Set when a request carrying this scheme's field skips every screen: a
   * webhook is sent to the receiver's own URL, whose query is none of the
   * other schemes' business.
   */
  readonly unscreened?: true;
  /** Step 3: what the request carries of this scheme's signature field (present, maybe malformed), or undefined. Never throws. */
  detect(request: VerifierRequest): Found | undefined;
  /**
   * Step 4 (and step 5 for a scheme that checks its own signed time): the
   * signature, parsed from what detect found, at the verifier's clock `now`
   * (Unix seconds). Throws core's SigilErrors.
   */
  parse(policy: Policy, request: VerifierRequest, found: Found, now: number): SchemeSignature;
}

/**
 * Step 12 for the schemes that sign a key id, a time and a nonce: remember
 * `(keyId, nonce)` until the last millisecond at which step 5 still accepts
 * `created`.
 */
export function nonceEntry(policy: Policy, claim: { readonly keyId: string; readonly created: number }, nonce: string): ReplayEntry {
  return { space: claim.keyId, id: nonce, expiresAtMs: (claim.created + policy.toleranceSeconds + 1) * 1000 };
}
