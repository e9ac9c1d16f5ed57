import type { Context, MiddlewareHandler } from 'hono';
import { onNodeServer, replyResponse, signFetchResponse } from '../../lib/fetch-signing.js';
import { assertVerifier, isWebhookSuccess } from '../../lib/response.js';
import { answerFailure, settleSigning, verifyOptions, type SignResponsesOption } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier } from '../../types.js';
import { verifyFetchRequest, type FetchConnection } from '../fetch/verify-fetch-request.js';

/**
 * The Hono environment the middleware provides: `c.get('sigil')`.
 *
 * @example
 * const app = new Hono<SigilHonoEnv>();
 */
export interface SigilHonoEnv<S extends AnyVerificationSuccess = VerificationSuccess> {
  Variables: { sigil: S };
}

/**
 * Options of sigilHono().
 *
 * @example
 * app.use(sigilHono(verifier, { connection: (c) => ({ remoteAddress: getConnInfo(c).remote.address }) }));
 */
export interface SigilHonoOptions {
  /**
   * Connection facts for each request. Default: on `@hono/node-server` the
   * socket's TLS state, peer address and raw target (`c.env.incoming`);
   * elsewhere the scheme of the request URL.
   */
  readonly connection?: (c: Context) => FetchConnection;
  /**
   * Sign every answer to a request whose MAC passed (SPEC.md section 11.5),
   * bound to it: `c.res` after `next()` (its body read whole, up to
   * `maxBodyBytes`, default 1 MiB; errors answered by `app.onError`
   * included) and the failures after the MAC. Default off. A body over the
   * limit is replaced by a signed 500 `response_too_large`; return
   * `sendUnsigned(response)` (e.g. `sendUnsigned(streamSSE(c, ...))`) from
   * a route that streams.
   */
  readonly signResponses?: SignResponsesOption;
}

interface NodeIncoming {
  readonly url?: string;
  readonly complete?: boolean;
  readonly socket?: { readonly encrypted?: boolean; readonly remoteAddress?: string } | null;
}

/** What @hono/node-server exposes as c.env.incoming; undefined on other runtimes. */
function nodeConnection(env: unknown): FetchConnection | undefined {
  const incoming = (env as { incoming?: NodeIncoming } | undefined)?.incoming;
  const socket = incoming?.socket;
  if (!socket) return undefined;
  return {
    secure: socket.encrypted === true,
    ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}),
    ...(incoming.url ? { target: incoming.url } : {}),
  };
}

/**
 * Hono middleware verifying every request (mount it with `app.use('*', …)`
 * to cover every route and method, HEAD and OPTIONS included). The verified
 * bytes are put back into Hono's body cache, so `c.req.json()`, `text()`,
 * `arrayBuffer()`, `parseBody()` and validators read them as usual (read the
 * body through `c.req`, not `c.req.raw`). `c.get('sigil')` tells who signed.
 *
 * @example
 * import { Hono } from 'hono';
 * import { sigilHono, type SigilHonoEnv } from '@sigil/verify/hono';
 *
 * const app = new Hono<SigilHonoEnv>();
 * app.use('*', sigilHono(verifier));
 * app.post('/orders', async (c) => c.json({ keyId: c.get('sigil').keyId, order: await c.req.json() }));
 */
export function sigilHono<S extends AnyVerificationSuccess = VerificationSuccess>(verifier: Verifier<S>, options: SigilHonoOptions = {}): MiddlewareHandler<SigilHonoEnv<S>> {
  assertVerifier(verifier, 'sigilHono');
  const signing = settleSigning(options.signResponses, verifier, 'sigilHono');
  const bind = verifyOptions(signing);
  return async (c, next) => {
    const connection = options.connection ? options.connection(c) : nodeConnection(c.env);
    const result = await verifyFetchRequest(verifier, c.req.raw, connection, bind);
    if (!result.ok) {
      const response = replyResponse(answerFailure(verifier, result, signing));
      // On @hono/node-server an unread upload would be drained after the
      // answer; close the connection instead, as the node adapter does.
      if ((c.env as { incoming?: NodeIncoming } | undefined)?.incoming?.complete === false) response.headers.set('connection', 'close');
      return response;
    }
    c.set('sigil', result);
    // Hono caches body reads per type and derives the others from any cached one.
    const bytes = result.body;
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(buffer);
    await next();
    // Webhook deliveries are never response-signed.
    if (!signing || isWebhookSuccess(result)) return;
    const signed = await signFetchResponse(c.res, result, signing, c.req.method === 'HEAD', onNodeServer(c.env));
    // Cleared first: Hono's setter copies the old response's headers onto the new one.
    c.res = undefined;
    c.res = signed;
  };
}
