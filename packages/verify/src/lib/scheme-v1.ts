// The v1 steps of the pipeline (SPEC.md section 4): parse Sigil-Signature
// (step 4), coverage of host and the required headers (6), canonical string
// and MAC (9-10), all with core's functions.
import { canonicalize, checkCoverage, matchMac, parseSignatureHeader } from '@sigil/core';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';
import type { SchemeSignature } from './scheme.js';

/** Step 4 for v1. Throws core's SigilErrors for a malformed header. */
export function parseV1(policy: Policy, request: VerifierRequest, field: string): SchemeSignature {
  const params = parseSignatureHeader(field);
  return {
    claim: { keyId: params.keyId, created: params.timestamp, nonce: params.nonce },
    checkCoverage: () => checkCoverage(params, policy.requiredHeaders),
    verifyMac(body, keys) {
      const canonical = canonicalize({ method: request.method, target: request.target, headers: request.headers, body }, params);
      const index = matchMac(params, canonical, keys);
      if (index < 0) return { ok: false, code: 'signature_invalid', canonical };
      return { ok: true, index, details: { scheme: 'v1', algorithm: params.algorithm, signedHeaders: params.headers } };
    },
  };
}
