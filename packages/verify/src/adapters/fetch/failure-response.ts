import { failureReply } from '../../lib/response.js';
import type { VerificationFailure } from '../../types.js';

/**
 * The Fetch `Response` for a rejected request: its status, a JSON body with
 * only the public code, `WWW-Authenticate: Sigil` on 401, `Sigil-Server-Time`
 * on a timestamp rejection.
 *
 * @example
 * const result = await verifyFetchRequest(verifier, request);
 * if (!result.ok) return failureResponse(result); // 401 {"error":"signature_invalid"}
 */
export function failureResponse(failure: VerificationFailure): Response {
  const reply = failureReply(failure);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
