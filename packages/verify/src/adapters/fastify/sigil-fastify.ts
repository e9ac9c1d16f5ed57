import { Readable } from 'node:stream';
import type { FastifyPluginCallback } from 'fastify';
import { assertVerifier, failureReply, isWebhookSuccess } from '../../lib/response.js';
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
}

const plugin: FastifyPluginCallback<SigilFastifyOptions> = (fastify, options, done) => {
  try {
    assertVerifier(options?.verifier, 'sigilFastify');
  } catch (error) {
    done(error as Error);
    return;
  }
  const verifier = options.verifier;
  fastify.decorateRequest('sigil', null);
  fastify.decorateRequest('sigilWebhook', null);
  // onRequest runs for every route, method and the 404 handler, before
  // Fastify touches the body: the verifier reads the raw stream itself.
  fastify.addHook('onRequest', async (request, reply) => {
    const result = await verifyNodeRequest(verifier, request.raw);
    if (result.ok) {
      if (isWebhookSuccess(result)) request.sigilWebhook = result;
      else request.sigil = result;
      return;
    }
    const answer = failureReply(result);
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  // The stream is consumed by now: hand Fastify's own parsers the verified bytes.
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const body = (request.sigil ?? request.sigilWebhook)?.body;
    if (!body) return payload;
    return Readable.from(body.length > 0 ? [Buffer.from(body.buffer, body.byteOffset, body.byteLength)] : []);
  });
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
