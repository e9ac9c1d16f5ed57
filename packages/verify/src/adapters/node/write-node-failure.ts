import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { isHttp2 } from '../../lib/node-body.js';
import type { FailureReply } from '../../lib/response.js';
import { answerFailure, defaultSigning, type ResponseSigning } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationFailure, Verifier } from '../../types.js';

/** An HTTP/1 or HTTP/2 (compatibility API) response. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** @internal Writes a failure answer, closing an HTTP/1 connection whose request body has not fully arrived. */
export function writeNodeReply(res: NodeResponse, reply: FailureReply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const req = res.req as NodeResponse['req'] | undefined;
  if (req && !req.complete && !isHttp2(req)) res.setHeader('connection', 'close');
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

/** @internal writeNodeFailure with an adapter's settled signing. */
export function writeSignedFailure(res: NodeResponse, failure: VerificationFailure, verifier: Verifier<AnyVerificationSuccess>, signing: ResponseSigning | undefined): void {
  writeNodeReply(res, answerFailure(verifier, failure, signing));
}

/**
 * Answers a rejected request: 401 (403, 413, 400 or 503 as the code says),
 * `{"error":"<public code>"}`, `WWW-Authenticate: Sigil` on 401, and `Sigil-Server-Time` on a timestamp
 * rejection. When an HTTP/1 request body has not fully arrived it also sends
 * `Connection: close`, so an oversize or unwanted upload is never read whole
 * (HTTP/2 forbids that header; the stream ends with the answer instead).
 *
 * Pass the `verifier` to add what it answers with: its `Accept-Signature`
 * on a 401 (`rfc9421.acceptSignature`), and a response signature when the
 * failure is bound (verified with `{ bindResponse: true }` and its MAC
 * passed, SPEC.md section 11.5).
 *
 * @example
 * const result = await verifyNodeRequest(verifier, req, { bindResponse: true });
 * if (!result.ok) return writeNodeFailure(res, result, verifier);
 */
export function writeNodeFailure(res: NodeResponse, failure: VerificationFailure, verifier?: Verifier<AnyVerificationSuccess>): void {
  writeNodeReply(res, answerFailure(verifier, failure, verifier ? defaultSigning(verifier) : undefined));
}
