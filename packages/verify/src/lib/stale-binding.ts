// Step 5's failure when responses are signed (SPEC.md section 11.5): a
// timestamp outside the window is refused as always, but the answer can be
// signed only if the request's MAC is valid, which step 5 comes before. So,
// only when binding, steps 6-10 run on a stale request to decide whether
// its 401 is signed; the code is `timestamp_out_of_window` whatever they
// find, and nothing is stored. Without binding this file never runs.
import type { VerificationFailure, VerifierRequest } from '../types.js';
import { readBody } from './checks.js';
import { activeAt, isThenable, secretsOf, type ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import { boundOf, tie } from './response-binding.js';
import { failure, type SchemeSignature } from './scheme.js';

/** The `timestamp_out_of_window` failure, bound when the stale request's coverage, key and MAC all pass. */
export async function staleFailure(policy: Policy, request: VerifierRequest, signature: SchemeSignature, now: number): Promise<VerificationFailure> {
  const answer = failure('timestamp_out_of_window', { serverTime: now });
  const keyId = signature.claim.keyId;
  if (keyId === undefined || !signature.binding) return answer;
  try {
    signature.checkCoverage();
    const found = policy.keys(keyId);
    const active: readonly ActiveKey[] = activeAt(isThenable(found) ? await found : found, policy.clock());
    if (active.length === 0) return answer;
    const read = readBody(policy, request);
    const body = read instanceof Promise ? await read : read;
    if (typeof body === 'string') return answer;
    const outcome = signature.verifyMac(body, secretsOf(active));
    return outcome.ok ? tie(answer, boundOf(policy, signature, active[outcome.index])) : answer;
  } catch {
    // A coverage, key lookup or MAC problem leaves the 401 unsigned; its code stays the window's.
    return answer;
  }
}
