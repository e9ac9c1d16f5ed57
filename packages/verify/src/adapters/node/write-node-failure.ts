import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { isHttp2 } from '../../lib/node-body.js';
import { failureReply } from '../../lib/response.js';
import type { VerificationFailure } from '../../types.js';

/** An HTTP/1 or HTTP/2 (compatibility API) response. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/**
 * Answers a rejected request: 401 (403, 413, 400 or 503 as the code says),
 * `{"error":"<public code>"}`, `WWW-Authenticate: Sigil` on 401, and `Sigil-Server-Time` on a timestamp
 * rejection. When an HTTP/1 request body has not fully arrived it also sends
 * `Connection: close`, so an oversize or unwanted upload is never read whole
 * (HTTP/2 forbids that header; the stream ends with the answer instead).
 *
 * @example
 * const result = await verifyNodeRequest(verifier, req);
 * if (!result.ok) return writeNodeFailure(res, result);
 */
export function writeNodeFailure(res: NodeResponse, failure: VerificationFailure): void {
  const reply = failureReply(failure);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const req = res.req as NodeResponse['req'] | undefined;
  if (req && !req.complete && !isHttp2(req)) res.setHeader('connection', 'close');
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
