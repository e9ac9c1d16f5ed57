// What the one pipeline needs from a signature scheme. Steps 2 (screen),
// 3-4 (find and parse the signature), 6 (coverage), 9-10 (MAC) and what
// step 12 remembers are the scheme's (scheme-v1.ts, scheme-rfc9421.ts);
// transport, window, keys, body, scope and the store are shared and live in
// checks.ts, which names no scheme.
import { ERROR_STATUS, publicCode, type SigilErrorCode, type SigilKey } from '@sigil/core';
import type { SignatureScheme, VerificationFailure, VerificationSuccess, VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';

/** What a signature claims, for the shared steps: the window and the key lookup. */
export interface Claim {
  /** A valid key id (SPEC.md section 3.3). */
  readonly keyId: string;
  /** Unix seconds: v1 `ts`, RFC 9421 `created`. */
  readonly created: number;
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

/** What a scheme adds to a success. */
export type SchemeDetails = Pick<VerificationSuccess, 'scheme' | 'algorithm' | 'signedHeaders' | 'components' | 'label' | 'expires'>;

/** Steps 9-10: the matching key's index, or a failure (with the server's canonical string or base, for debug mode). */
export type MacOutcome =
  | { readonly ok: true; readonly index: number; readonly details: SchemeDetails }
  | { readonly ok: false; readonly code: SigilErrorCode; readonly canonical?: string };

/** A parsed signature. Its methods throw only SigilErrors. */
export interface SchemeSignature {
  readonly claim: Claim;
  /** Step 12: the entry to check and store; the pipeline re-checks the window before storing. */
  replay(policy: Policy): ReplayEntry;
  /** Step 6: every component or header the policy requires is covered (`header_not_signed`). */
  checkCoverage(): void;
  /** Steps 9-10 over the received body, trying each active key. */
  verifyMac(body: Uint8Array, keys: readonly SigilKey[]): MacOutcome;
}

/** The failure result every step returns. */
export function failure(code: SigilErrorCode, extra: { serverTime?: number; canonical?: string } = {}): VerificationFailure {
  return { ok: false, code, status: ERROR_STATUS[code], publicCode: publicCode(code), ...extra };
}

/**
 * One signature scheme, as a value: the pipeline (checks.ts) calls these and
 * names no scheme. Adding a scheme is adding one object of this shape.
 * `Found` is what detect saw, handed to parse so the field is scanned once.
 */
export interface Scheme<Found = unknown> {
  readonly name: SignatureScheme;
  /**
   * Step 2: a check run on every request while this scheme is accepted,
   * before any scheme is picked (v1 and RFC 9421: no signature in the query).
   * Schemes that share a check share the function: it runs once.
   */
  readonly screen?: (request: VerifierRequest) => SigilErrorCode | undefined;
  /** Step 3: what the request carries of this scheme's signature field (present, maybe malformed), or undefined. Never throws. */
  detect(request: VerifierRequest): Found | undefined;
  /** Step 4: the signature, parsed from what detect found. Throws core's SigilErrors. */
  parse(policy: Policy, request: VerifierRequest, found: Found): SchemeSignature;
}

/**
 * Step 12 for the schemes that sign a key id, a time and a nonce: remember
 * `(keyId, nonce)` until the last millisecond at which step 5 still accepts
 * `created`.
 */
export function nonceEntry(policy: Policy, claim: Claim, nonce: string): ReplayEntry {
  return { space: claim.keyId, id: nonce, expiresAtMs: (claim.created + policy.toleranceSeconds + 1) * 1000 };
}
