import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertVerifier } from '../../lib/response.js';
import type { VerificationSuccess, Verifier } from '../../types.js';
import { verifyNodeRequest } from './verify-node-request.js';
import { writeNodeFailure } from './write-node-failure.js';

/**
 * A request listener that runs only for verified requests. The body stream
 * is consumed by then: read `verification.body`.
 *
 * @example
 * const handler: SigilNodeListener = (req, res, { keyId, body }) => res.end(`hello ${keyId}`);
 */
export type SigilNodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  verification: VerificationSuccess,
) => unknown;

/**
 * Wraps a request listener so every request, whatever its method (HEAD and
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
export function sigilListener(verifier: Verifier, listener: SigilNodeListener): (req: IncomingMessage, res: ServerResponse) => void {
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
        res.writeHead(500, { connection: 'close' }).end();
      },
    );
  };
}
