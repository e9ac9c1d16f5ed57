// The v1 steps of the pipeline (SPEC.md section 4): parse Sigil-Signature
// (step 4), coverage of host, the required headers and content-type (6), canonical string
// and MAC (9-10), all with core's functions.
import {
  canonicalize,
  checkContentTypeCoverage,
  checkCoverage,
  hasSignatureInQuery,
  matchMac,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  SigilError,
  type SigilErrorCode,
  type SigilKey,
  type SignatureParams,
} from '@sigil/core';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';
import { soleFieldLine } from './request-parts.js';
import type { RequestBinding } from './response-binding.js';
import { nonceEntry, type MacOutcome, type ReplayEntry, type Scheme, type SchemeSignature } from './scheme.js';

// Core hands out one frozen list per distinct h value, so a client's list is
// the same object on every request: each policy checks its coverage once.
const COVERING = new WeakMap<Policy, WeakSet<readonly string[]>>();

/**
 * Step 6 for v1: host and every required header signed, and content-type
 * when the request carries one and declares content (unless the policy
 * allows it unsigned). Throws `header_not_signed`.
 */
function checkV1Coverage(policy: Policy, params: SignatureParams, request: VerifierRequest): void {
  // Depends on the request, so it is never part of the per-list memo below.
  if (!policy.allowUnsignedContentType) checkContentTypeCoverage(params, request.headers);
  const list = params.headers;
  let known = COVERING.get(policy);
  if (known?.has(list)) return;
  checkCoverage(params, policy.requiredHeaders);
  if (!Object.isFrozen(list)) return;
  if (!known) COVERING.set(policy, (known = new WeakSet()));
  known.add(list);
}

/**
 * Step 2 for both v1 and RFC 9421 (one function, so it runs once when both
 * are accepted): a signature in the query string is refused (SPEC.md section 4).
 */
export function screenQuery(request: VerifierRequest): SigilErrorCode | undefined {
  return hasSignatureInQuery(request.target) ? 'signature_in_query' : undefined;
}

/**
 * A parsed v1 signature. A class, not an object of closures: the methods
 * live on the prototype, so a request allocates one object here.
 */
class V1Signature implements SchemeSignature {
  readonly claim: { readonly keyId: string; readonly created: number };
  readonly #policy: Policy;
  readonly #request: VerifierRequest;
  readonly #params: SignatureParams;

  constructor(policy: Policy, request: VerifierRequest, params: SignatureParams) {
    this.claim = { keyId: params.keyId, created: params.timestamp };
    this.#policy = policy;
    this.#request = request;
    this.#params = params;
  }

  replay(policy: Policy): ReplayEntry {
    return nonceEntry(policy, this.claim, this.#params.nonce);
  }

  checkCoverage(): void {
    checkV1Coverage(this.#policy, this.#params, this.#request);
  }

  verifyMac(body: Uint8Array, keys: readonly SigilKey[]): MacOutcome {
    const request = this.#request;
    const params = this.#params;
    const canonical = canonicalize({ method: request.method, target: request.target, headers: request.headers, body }, params);
    const index = matchMac(params, canonical, keys);
    if (index < 0) return { ok: false, code: 'signature_invalid', canonical };
    return { ok: true, index, details: { scheme: 'v1', algorithm: params.algorithm, signedHeaders: params.headers } };
  }

  binding(): RequestBinding {
    const params = this.#params;
    return { scheme: 'v1', algorithm: params.algorithm, nonce: params.nonce, mac: params.mac };
  }
}

/** Step 4 for v1. Throws core's SigilErrors for a malformed header. */
function parseV1(policy: Policy, request: VerifierRequest, field: string | null): SchemeSignature {
  // Several Sigil-Signature lines (null) are never guessed between.
  if (field === null) throw new SigilError('signature_header_malformed');
  return new V1Signature(policy, request, parseSignatureHeader(field));
}

/** The v1 scheme (SPEC.md sections 2-4): one Sigil-Signature field. */
export const v1Scheme: Scheme<string | null> = Object.freeze({
  name: 'v1',
  keys: 'request',
  screen: screenQuery,
  // The sole field line, null when repeated, undefined when absent.
  detect: (request: VerifierRequest) => soleFieldLine(request.headers, SIGNATURE_HEADER),
  parse: parseV1,
});
