// The v1 steps of the pipeline (SPEC.md section 4): parse Sigil-Signature
// (step 4), coverage of host, the required headers and content-type (6), canonical string
// and MAC (9-10), all with core's functions.
import { canonicalize, checkContentTypeCoverage, checkCoverage, matchMac, parseSignatureHeader, type SignatureParams } from '@sigil/core';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';
import type { SchemeSignature } from './scheme.js';

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

/** Step 4 for v1. Throws core's SigilErrors for a malformed header. */
export function parseV1(policy: Policy, request: VerifierRequest, field: string): SchemeSignature {
  const params = parseSignatureHeader(field);
  return {
    claim: { keyId: params.keyId, created: params.timestamp, nonce: params.nonce },
    checkCoverage: () => checkV1Coverage(policy, params, request),
    verifyMac(body, keys) {
      const canonical = canonicalize({ method: request.method, target: request.target, headers: request.headers, body }, params);
      const index = matchMac(params, canonical, keys);
      if (index < 0) return { ok: false, code: 'signature_invalid', canonical };
      return { ok: true, index, details: { scheme: 'v1', algorithm: params.algorithm, signedHeaders: params.headers } };
    },
  };
}
