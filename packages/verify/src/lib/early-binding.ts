// The failures of steps 5 and 6 when responses are signed (SPEC.md section
// 11.5): a timestamp outside the window, or a signature that does not cover
// what the verifier requires, is refused as always, but its answer can be
// signed only if the request's MAC is valid, which both steps come before.
// A client acts on these two 401s (a clock correction, an Accept-Signature
// retry), so, only when binding, the later steps (coverage for a stale
// request, then key, body and MAC) run on to decide whether the 401 is
// signed; the code is the early one whatever they find, and nothing is
// stored. Without binding this file never runs.
import { isSigilError } from '@sigil/core';
import type { VerificationFailure, VerifierRequest } from '../types.js';
import { readBody } from './checks.js';
import { activeAt, isThenable, secretsOf, type ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import { boundOf, tie } from './response-binding.js';
import { failure, type SchemeSignature } from './scheme.js';

/**
 * `answer` (step 5's `timestamp_out_of_window` or step 6's
 * `header_not_signed`), bound when the request's key and MAC pass, and for
 * a stale request its coverage too (`coverage`).
 */
export async function earlyFailure(policy: Policy, request: VerifierRequest, signature: SchemeSignature, answer: VerificationFailure, coverage: boolean): Promise<VerificationFailure> {
  const keyId = signature.claim.keyId;
  if (keyId === undefined || !signature.binding) return answer;
  try {
    if (coverage) signature.checkCoverage();
    const found = policy.keys(keyId);
    const active: readonly ActiveKey[] = activeAt(isThenable(found) ? await found : found, policy.clock());
    if (active.length === 0) return answer;
    const read = readBody(policy, request);
    const body = read instanceof Promise ? await read : read;
    if (typeof body === 'string') return answer;
    const outcome = signature.verifyMac(body, secretsOf(active), !coverage);
    return outcome.ok ? tie(answer, boundOf(policy, signature, active[outcome.index])) : answer;
  } catch (error) {
    // A coverage or key lookup failure leaves the 401 unsigned; its code stays the early one.
    // Anything else (a resolver answering with a non-key) is a bug and propagates, as in runChecks.
    if (isSigilError(error) && error.code !== 'invalid_option') return answer;
    throw error;
  }
}
