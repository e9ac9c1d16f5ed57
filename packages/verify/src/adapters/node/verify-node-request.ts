import { nodeVerifierRequest, type NodeRequest } from '../../lib/node-body.js';
import type { AnyVerificationSuccess, VerificationResult, Verifier, VerifyOptions } from '../../types.js';

/**
 * Verifies a Node `http`/`https` request, or an `http2` one (compatibility
 * API), where `host` is the `:authority` pseudo-header. Reads `req.rawHeaders`
 * (every field line, duplicates included), `req.url` as the target, the
 * socket's TLS state and peer address; reads the body only once the cheap
 * checks pass, stopping at `maxBodyBytes`. On success the stream is
 * consumed: use `result.body`. `options` go to `verifier.verify()`
 * (`bindResponse`, to sign the answer with `verifier.signResponse()`).
 *
 * @example
 * import { createServer } from 'node:http';
 * import { verifyNodeRequest, writeNodeFailure } from '@sigil/verify/node';
 *
 * createServer(async (req, res) => {
 *   const result = await verifyNodeRequest(verifier, req);
 *   if (!result.ok) return writeNodeFailure(res, result);
 *   const order = JSON.parse(Buffer.from(result.body).toString('utf8'));
 *   res.end('ok');
 * }).listen(8080);
 */
export function verifyNodeRequest<S extends AnyVerificationSuccess>(verifier: Verifier<S>, req: NodeRequest, options?: VerifyOptions): Promise<VerificationResult<S>> {
  return verifier.verify(nodeVerifierRequest(req), options);
}

/** @internal verifyNodeRequest with the target as received, where a framework rewrote `req.url`. */
export function verifyNodeRequestAt<S extends AnyVerificationSuccess>(verifier: Verifier<S>, req: NodeRequest, target: string | undefined, options?: VerifyOptions): Promise<VerificationResult<S>> {
  return verifier.verify(nodeVerifierRequest(req, target), options);
}
