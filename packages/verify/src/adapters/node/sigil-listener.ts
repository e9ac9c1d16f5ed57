import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHttp2, type NodeRequest } from '../../lib/node-body.js';
import { signNodeResponse } from '../../lib/node-signing.js';
import { assertVerifier, isWebhookSuccess } from '../../lib/response.js';
import { settleSigning, verifyOptions, type SignResponsesOption } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier } from '../../types.js';
import { verifyNodeRequest } from './verify-node-request.js';
import { writeSignedFailure, type NodeResponse } from './write-node-failure.js';

/**
 * Options of sigilListener().
 *
 * @example
 * createServer(sigilListener(verifier, listener, { signResponses: true }));
 */
export interface SigilListenerOptions {
  /**
   * Sign every answer to a request whose MAC passed (SPEC.md section 11.5),
   * bound to it: the listener's responses (buffered up to `maxBodyBytes`,
   * default 1 MiB) and the failures after the MAC. Default off. A body
   * over the limit is replaced by a signed 500 `response_too_large`; call
   * `sendUnsigned(res)` first on a route that streams.
   */
  readonly signResponses?: SignResponsesOption;
}

/**
 * A request listener that runs only for verified requests. The body stream
 * is consumed by then: read `verification.body`.
 *
 * @example
 * const handler: SigilNodeListener = (req, res, { keyId, body }) => res.end(`hello ${keyId}`);
 */
export type SigilNodeListener<
  Req extends NodeRequest = IncomingMessage,
  Res extends NodeResponse = ServerResponse,
  S extends AnyVerificationSuccess = VerificationSuccess,
> = (req: Req, res: Res, verification: S) => unknown;

/**
 * Wraps a request listener (`node:http`, `node:https`, or `node:http2`'s
 * compatibility API) so every request, whatever its method (HEAD and
 * OPTIONS included), is verified first; failures are answered by
 * `writeNodeFailure`. A verifier error (a key resolver that answers with
 * something that is not a key) answers a bare 500. Errors of your listener are not caught here.
 * With `signResponses`, the answers are signed (see SigilListenerOptions).
 *
 * @example
 * import { createServer } from 'node:http';
 * import { sigilListener } from '@sigil/verify/node';
 *
 * createServer(sigilListener(verifier, (req, res, { keyId, body }) => {
 *   res.end(`hello ${keyId}, ${body.length} bytes`);
 * })).listen(8080);
 */
export function sigilListener<
  Req extends NodeRequest = IncomingMessage,
  Res extends NodeResponse = ServerResponse,
  S extends AnyVerificationSuccess = VerificationSuccess,
>(
  verifier: Verifier<S>,
  listener: SigilNodeListener<Req, Res, S>,
  options: SigilListenerOptions = {},
): (req: Req, res: Res) => void {
  assertVerifier(verifier, 'sigilListener');
  if (typeof listener !== 'function') throw new TypeError('sigilListener: expected a request listener');
  const signing = settleSigning(options?.signResponses, verifier, 'sigilListener');
  const bind = verifyOptions(signing);
  return (req, res) => {
    verifyNodeRequest(verifier, req, bind).then(
      (result) => {
        if (!result.ok) return writeSignedFailure(res, result, verifier, signing);
        // Webhook deliveries are never response-signed.
        if (signing && !isWebhookSuccess(result)) signNodeResponse(res, result, signing, req.method === 'HEAD');
        void listener(req, res, result);
      },
      () => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, isHttp2(req) ? {} : { connection: 'close' });
        res.end();
      },
    );
  };
}
