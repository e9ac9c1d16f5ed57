import { replyResponse } from '../../lib/fetch-signing.js';
import { answerFailure, defaultSigning } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationFailure, Verifier } from '../../types.js';

/**
 * The Fetch `Response` for a rejected request: its status, a JSON body with
 * only the public code, `WWW-Authenticate: Sigil` on 401, `Sigil-Server-Time`
 * on a timestamp rejection. Pass the `verifier` to add what it answers
 * with: its `Accept-Signature` on a 401 (`rfc9421.acceptSignature`), and a
 * response signature when the failure is bound (verified with
 * `{ bindResponse: true }` and its MAC passed, SPEC.md section 11.5).
 *
 * @example
 * const result = await verifyFetchRequest(verifier, request);
 * if (!result.ok) return failureResponse(result); // 401 {"error":"signature_invalid"}
 */
export function failureResponse(failure: VerificationFailure, verifier?: Verifier<AnyVerificationSuccess>): Response {
  return replyResponse(answerFailure(verifier, failure, verifier ? defaultSigning(verifier) : undefined));
}
