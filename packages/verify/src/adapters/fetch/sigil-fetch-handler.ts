import { onNodeServer, replyResponse, signFetchResponse } from '../../lib/fetch-signing.js';
import { assertVerifier, isWebhookSuccess } from '../../lib/response.js';
import { answerFailure, settleSigning, verifyOptions, type SignResponsesOption } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier } from '../../types.js';
import { verifyFetchRequest, type FetchConnection } from './verify-fetch-request.js';

/**
 * A Fetch handler that runs only for verified requests. `request` carries the
 * verified body again, so `request.json()` works.
 *
 * @example
 * const handler: SigilFetchHandler<[]> = async (request, { keyId }) => Response.json(await request.json());
 */
export type SigilFetchHandler<A extends unknown[], S extends AnyVerificationSuccess = VerificationSuccess> = (
  request: Request,
  verification: S,
  ...rest: A
) => Response | Promise<Response>;

/**
 * Options of sigilFetchHandler().
 *
 * @example
 * // Bun: Bun.serve({ fetch: sigilFetchHandler(verifier, handler, {
 * //   connection: (req, server) => ({ remoteAddress: server.requestIP(req)?.address }) }) });
 * const options: SigilFetchHandlerOptions<[]> = { connection: () => ({ secure: true }) };
 */
export interface SigilFetchHandlerOptions<A extends unknown[] = unknown[]> {
  /** Connection facts for each request (see FetchConnection), from the request and the runtime's extra arguments. */
  readonly connection?: (request: Request, ...rest: A) => FetchConnection | undefined;
  /**
   * Sign every answer to a request whose MAC passed (SPEC.md section 11.5),
   * bound to it: the handler's Response (its body read whole, up to
   * `maxBodyBytes`, default 1 MiB) and the failures after the MAC. Default
   * off. A body over the limit is replaced by a signed 500
   * `response_too_large`; return `sendUnsigned(response)` from a handler
   * that streams.
   */
  readonly signResponses?: SignResponsesOption;
}

/** A request that can be read again: same URL, method, headers, the verified bytes. */
function replayable(request: Request, body: Uint8Array): Request {
  const bodyless = request.method === 'GET' || request.method === 'HEAD' || body.length === 0;
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bodyless ? null : (body as Uint8Array<ArrayBuffer>),
    signal: request.signal,
  });
}

/**
 * Wraps a Fetch handler (a Next.js route handler, a Bun/Deno/Workers fetch
 * function) so every request is verified first; failures are answered by
 * `failureResponse`. Extra arguments (Next.js `context`, Workers `env`) pass
 * through.
 *
 * @example
 * // app/api/orders/route.ts (Next.js)
 * import { sigilFetchHandler } from '@sigil/verify/fetch';
 *
 * export const POST = sigilFetchHandler(verifier, async (request, { keyId }) => {
 *   const order = await request.json();
 *   return Response.json({ ok: true, keyId, order });
 * });
 */
export function sigilFetchHandler<A extends unknown[], S extends AnyVerificationSuccess = VerificationSuccess>(
  verifier: Verifier<S>,
  handler: SigilFetchHandler<A, S>,
  options: SigilFetchHandlerOptions<A> = {},
): (request: Request, ...rest: A) => Promise<Response> {
  assertVerifier(verifier, 'sigilFetchHandler');
  if (typeof handler !== 'function') throw new TypeError('sigilFetchHandler: expected a handler function');
  const signing = settleSigning(options.signResponses, verifier, 'sigilFetchHandler');
  const bind = verifyOptions(signing);
  return async (request, ...rest) => {
    const result = await verifyFetchRequest(verifier, request, options.connection?.(request, ...rest), bind);
    if (!result.ok) return replyResponse(answerFailure(verifier, result, signing));
    const response = await handler(replayable(request, result.body), result, ...rest);
    // Webhook deliveries are never response-signed.
    return signing && !isWebhookSuccess(result) ? signFetchResponse(response, result, signing, request.method === 'HEAD', onNodeServer(rest[0])) : response;
  };
}
