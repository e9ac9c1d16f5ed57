import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHttp2, type NodeRequest } from '../../lib/node-body.js';
import { assertVerifier } from '../../lib/response.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier } from '../../types.js';
import { verifyNodeRequest } from './verify-node-request.js';
import { writeNodeFailure, type NodeResponse } from './write-node-failure.js';

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
): (req: Req, res: Res) => void {
  assertVerifier(verifier, 'sigilListener');
  if (typeof listener !== 'function') throw new TypeError('sigilListener: expected a request listener');
  return (req, res) => {
    verifyNodeRequest(verifier, req).then(
      (result) => {
        if (!result.ok) return writeNodeFailure(res, result);
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
