import type { ServerResponse } from 'node:http';
import { failureReply } from '../../lib/response.js';
import type { VerificationFailure } from '../../types.js';

/**
 * Answers a rejected request: 401 (403, 413, 400 or 503 as the code says),
 * `{"error":"<public code>"}`, `WWW-Authenticate: Sigil` on 401, and `Sigil-Server-Time` on a timestamp
 * rejection. When the request body has not fully arrived it also sends
 * `Connection: close`, so an oversize or unwanted upload is never read whole.
 *
 * @example
 * const result = await verifyNodeRequest(verifier, req);
 * if (!result.ok) return writeNodeFailure(res, result);
 */
export function writeNodeFailure(res: ServerResponse, failure: VerificationFailure): void {
  const reply = failureReply(failure);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.req && !res.req.complete) res.setHeader('connection', 'close');
  res.writeHead(reply.status, reply.headers).end(reply.body);
}
