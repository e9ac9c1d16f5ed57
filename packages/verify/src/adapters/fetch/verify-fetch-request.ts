import type { HeadersLike } from '@sigil/core';
import { readStreamCapped } from '../../lib/stream-body.js';
import type { AnyVerificationSuccess, VerificationResult, Verifier, VerifyOptions } from '../../types.js';

/**
 * What a Fetch `Request` cannot tell by itself about its connection. Pass
 * what your runtime knows; the defaults are the safe reading of the URL.
 *
 * @example
 * const connection: FetchConnection = { remoteAddress: server.requestIP(req)?.address };
 */
export interface FetchConnection {
  /**
   * The connection is TLS. Default: `request.url` starts with `https:`.
   * Set it yourself where the runtime builds that URL from client-sent
   * data (an absolute-form target, a forwarded header).
   */
  readonly secure?: boolean;
  /** The peer address (Bun `server.requestIP()`, Deno `info.remoteAddr`); enables the loopback exemption. */
  readonly remoteAddress?: string;
  /** The target exactly as received, when the runtime exposes it. Default: pathname + search of `request.url`. */
  readonly target?: string;
}

/**
 * Verifies a Fetch API `Request` (Hono, Next.js route handlers, Bun, Deno,
 * Cloudflare Workers). The body stream is read only once the cheap checks
 * pass, capped at `maxBodyBytes`; on success use `result.body` (the request's
 * own body is consumed). `host` falls back to the URL's host when the runtime
 * leaves it out of `request.headers`. `options` go to `verifier.verify()`
 * (`bindResponse`, to sign the answer with `verifier.signResponse()`).
 *
 * @example
 * import { verifyFetchRequest, failureResponse } from '@sigil/verify/fetch';
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const result = await verifyFetchRequest(verifier, request);
 *     if (!result.ok) return failureResponse(result);
 *     return new Response(`hello ${result.keyId}`);
 *   },
 * };
 */
export function verifyFetchRequest<S extends AnyVerificationSuccess>(
  verifier: Verifier<S>,
  request: Request,
  connection: FetchConnection = {},
  options?: VerifyOptions,
): Promise<VerificationResult<S>> {
  const url = new URL(request.url);
  const headers: HeadersLike = {
    get: (name) => request.headers.get(name) ?? (name === 'host' ? url.host : null),
  };
  return verifier.verify({
    method: request.method,
    target: connection.target ?? url.pathname + url.search,
    headers,
    body: (maxBytes) => (request.bodyUsed ? Promise.reject(new Error('body used')) : readStreamCapped(request.body, maxBytes)),
    secure: connection.secure ?? url.protocol === 'https:',
    ...(connection.remoteAddress ? { remoteAddress: connection.remoteAddress } : {}),
  }, options);
}
