// What the one pipeline needs from a signature scheme. Steps 3-4 (find and
// parse the signature), 6 (coverage) and 9-10 (MAC) differ between v1 and
// RFC 9421; transport, window, keys, body, scope and nonce are shared and
// live in checks.ts.
import { ERROR_STATUS, publicCode, SIGNATURE_HEADER, type SigilErrorCode, type SigilKey } from '@sigil/core';
import type { VerificationFailure, VerificationSuccess, VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';
import { firstFieldLine, soleFieldLine } from './request-parts.js';

/** The parameters the shared steps read: window, key lookup, nonce. */
export interface Claim {
  /** A valid key id (SPEC.md section 3.3). */
  readonly keyId: string;
  /** Unix seconds: v1 `ts`, RFC 9421 `created`. */
  readonly created: number;
  /** Unix seconds after which the signature is void (RFC 9421 only). */
  readonly expires?: number;
  readonly nonce: string;
}

/** What a scheme adds to a success. */
export type SchemeDetails = Pick<VerificationSuccess, 'scheme' | 'algorithm' | 'signedHeaders' | 'components' | 'label' | 'expires'>;

/** Steps 9-10: the matching key's index, or a failure (with the server's canonical string or base, for debug mode). */
export type MacOutcome =
  | { readonly ok: true; readonly index: number; readonly details: SchemeDetails }
  | { readonly ok: false; readonly code: SigilErrorCode; readonly canonical?: string };

/** A parsed signature of either scheme. Its methods throw only SigilErrors. */
export interface SchemeSignature {
  readonly claim: Claim;
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
 * Step 3: which scheme the request uses, among those the policy accepts.
 * A Signature-Input field selects RFC 9421; a request that carries both a
 * Sigil-Signature and a Signature-Input, when both schemes are accepted, is
 * ambiguous and refused (`signature_header_malformed`): the verifier never
 * guesses which of two signatures the application relies on. A field of a
 * scheme the policy does not accept is ignored.
 */
export function pickScheme(policy: Policy, request: VerifierRequest): { scheme: 'v1'; field: string } | { scheme: 'rfc9421' } | SigilErrorCode {
  const v1 = policy.schemes.has('v1') ? soleFieldLine(request.headers, SIGNATURE_HEADER) : undefined;
  const rfc9421 = policy.schemes.has('rfc9421') && firstFieldLine(request.headers, 'signature-input') !== undefined;
  if (rfc9421) return v1 !== undefined ? 'signature_header_malformed' : { scheme: 'rfc9421' };
  if (typeof v1 === 'string') return { scheme: 'v1', field: v1 };
  // Absent, or repeated (several Sigil-Signature lines are never guessed between).
  return v1 === undefined ? 'signature_missing' : 'signature_header_malformed';
}
