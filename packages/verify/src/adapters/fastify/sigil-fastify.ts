import { Readable } from 'node:stream';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { nodeHeaderList } from '../../lib/node-signing.js';
import { assertVerifier, isWebhookSuccess } from '../../lib/response.js';
import { answerFailure, isUnsigned, OVERSIZE, oversizeReply, settleSigning, verifyOptions, type ResponseSigning, type SignResponsesOption } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier, WebhookVerificationSuccess } from '../../types.js';
import { verifyNodeRequest } from '../node/verify-node-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by sigilFastify: who signed the request (null until verified). */
    sigil: VerificationSuccess | null;
    /** Set by sigilFastify for a webhook delivery: which scheme and secret verified it (null otherwise). */
    sigilWebhook: WebhookVerificationSuccess | null;
  }
}

/**
 * Options of the sigilFastify plugin.
 *
 * @example
 * await app.register(sigilFastify, { verifier });
 */
export interface SigilFastifyOptions {
  readonly verifier: Verifier<AnyVerificationSuccess>;
  /**
   * Sign every answer to a request whose MAC passed (SPEC.md section 11.5),
   * bound to it, in an `onSend` hook: the routes' payloads (a stream is
   * buffered up to `maxBodyBytes`, default 1 MiB), the error handler's
   * answers, and the failures after the MAC. Default off. A body over the
   * limit is replaced by a signed 500 `response_too_large`; call
   * `sendUnsigned(reply)` in a route that streams.
   */
  readonly signResponses?: SignResponsesOption;
}

// The verified result of each request whose answer onSend signs.
const SIGNED = new WeakMap<FastifyRequest, AnyVerificationSuccess>();

/** The payload's bytes; a stream is read up to `max` (undefined beyond it). */
async function payloadBytes(payload: unknown, max: number): Promise<Buffer | null | undefined> {
  if (payload === null || payload === undefined) return null;
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of payload as AsyncIterable<Uint8Array | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buffer.length;
    if (total > max) {
      (payload as { destroy?: () => void }).destroy?.();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

/** The onSend hook: the payload as bytes, signed; or the signed 500 that replaces one over the limit. */
async function signPayload(signing: ResponseSigning, request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const result = SIGNED.get(request);
  if (!result || isUnsigned(reply)) return payload;
  const body = await payloadBytes(payload, signing.maxBodyBytes);
  if (body === undefined) {
    for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
    const answer = oversizeReply(result, signing);
    reply.code(OVERSIZE.status).headers(answer.headers);
    return answer.body;
  }
  const bodyless = request.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304;
  const headers = nodeHeaderList(reply.getHeaders() as Parameters<typeof nodeHeaderList>[0]);
  for (const [name, value] of signing.sign(result, reply.statusCode, headers, bodyless ? null : body) ?? []) reply.header(name, value);
  return body;
}

const plugin: FastifyPluginCallback<SigilFastifyOptions> = (fastify, options, done) => {
  try {
    assertVerifier(options?.verifier, 'sigilFastify');
  } catch (error) {
    done(error as Error);
    return;
  }
  const verifier = options.verifier;
  let signing: ResponseSigning | undefined;
  try {
    signing = settleSigning(options.signResponses, verifier, 'sigilFastify');
  } catch (error) {
    done(error as Error);
    return;
  }
  const bind = verifyOptions(signing);
  fastify.decorateRequest('sigil', null);
  fastify.decorateRequest('sigilWebhook', null);
  // onRequest runs for every route, method and the 404 handler, before
  // Fastify touches the body: the verifier reads the raw stream itself.
  fastify.addHook('onRequest', async (request, reply) => {
    const result = await verifyNodeRequest(verifier, request.raw, bind);
    if (result.ok) {
      // Webhook deliveries are never response-signed.
      if (isWebhookSuccess(result)) request.sigilWebhook = result;
      else if (signing) SIGNED.set(request, (request.sigil = result));
      else request.sigil = result;
      return;
    }
    // Signed here when bound: onSend leaves a request without a success alone.
    const answer = answerFailure(verifier, result, signing);
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  // The stream is consumed by now: hand Fastify's own parsers the verified bytes.
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const body = (request.sigil ?? request.sigilWebhook)?.body;
    if (!body) return payload;
    return Readable.from(body.length > 0 ? [Buffer.from(body.buffer, body.byteOffset, body.byteLength)] : []);
  });
  if (signing) {
    const settled = signing;
    fastify.addHook('onSend', (request, reply, payload) => signPayload(settled, request, reply, payload));
  }
  done();
};

/**
 * Fastify plugin verifying every request, whatever its route or method (HEAD,
 * OPTIONS and unknown routes included), before any body parsing. Fastify's
 * content-type parsers then run on the verified bytes, so `request.body` is
 * what the MAC covered; `request.sigil` tells who signed it. Registered
 * without encapsulation, so it covers routes registered in any context.
 *
 * @example
 * import Fastify from 'fastify';
 * import { sigilFastify } from '@sigil/verify/fastify';
 *
 * const app = Fastify();
 * await app.register(sigilFastify, { verifier });
 * app.post('/orders', async (request) => ({ keyId: request.sigil?.keyId, order: request.body }));
 */
export const sigilFastify: FastifyPluginCallback<SigilFastifyOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@sigil/verify',
});
