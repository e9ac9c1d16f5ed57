import type { IncomingMessage, ServerResponse } from 'node:http';
import { SigilError } from '@sigil/core';
import { bodyTouched } from '../../lib/node-body.js';
import { signNodeResponse } from '../../lib/node-signing.js';
import { assertVerifier } from '../../lib/response.js';
import { settleSigning, verifyOptions, type SignResponsesOption } from '../../lib/sign-responses.js';
import type { AnyVerificationSuccess, VerificationSuccess, Verifier, WebhookVerificationSuccess } from '../../types.js';
import { isWebhookSuccess } from '../../lib/response.js';
import { verifyNodeRequestAt } from '../node/verify-node-request.js';
import { writeSignedFailure } from '../node/write-node-failure.js';
import { parseBody } from './parse-body.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by sigilExpress(): the verified raw body. */
      rawBody?: Buffer;
      /** Set by sigilExpress(): who signed the request (v1 and RFC 9421). */
      sigil?: VerificationSuccess;
      /** Set by sigilExpress() for a webhook delivery: which scheme and secret verified it. */
      sigilWebhook?: WebhookVerificationSuccess;
    }
  }
}

/**
 * Options of sigilExpress().
 *
 * @example
 * app.use(sigilExpress(verifier, { parseBody: false }));
 */
export interface SigilExpressOptions {
  /** Set `req.body` from the verified bytes for JSON, urlencoded and text bodies. Default true. */
  readonly parseBody?: boolean;
  /**
   * Sign every answer to a request whose MAC passed (SPEC.md section 11.5),
   * bound to it: what the routes send (`res.json`, `res.send`, `res.end`,
   * buffered up to `maxBodyBytes`, default 1 MiB) and the failures after
   * the MAC. Default off. A body over the limit is replaced by a signed
   * 500 `response_too_large`; call `sendUnsigned(res)` first in a route
   * that streams.
   */
  readonly signResponses?: SignResponsesOption;
}

/** The request fields the middleware reads and sets (Express's own Request has them). */
export type SigilExpressRequest = IncomingMessage & {
  originalUrl?: string;
  body?: unknown;
  rawBody?: Buffer;
  sigil?: VerificationSuccess;
  sigilWebhook?: WebhookVerificationSuccess;
};

/**
 * Express middleware verifying every request, whatever its method (HEAD and
 * OPTIONS included). It reads the raw body itself, so mount it **before**
 * `express.json()` or any body parser: if one already consumed the stream it
 * fails loudly (`invalid_option`, 500) rather than verify an empty body.
 * Afterwards `req.rawBody` holds the verified bytes, `req.sigil` the result,
 * and `req.body` the parsed JSON / form / text; body parsers mounted later
 * see a finished stream and step aside. Under a mount path (`app.use('/api',
 * ...)`, routers, sub-apps) it verifies and scopes the full target as
 * received (`req.originalUrl`), never the mount-relative `req.url`.
 *
 * @example
 * import express from 'express';
 * import { sigilExpress } from '@sigil/verify/express';
 *
 * const app = express();
 * app.use(sigilExpress(verifier));
 * app.post('/orders', (req, res) => res.json({ keyId: req.sigil?.keyId, order: req.body }));
 */
export function sigilExpress(
  verifier: Verifier<AnyVerificationSuccess>,
  options: SigilExpressOptions = {},
): (req: SigilExpressRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  assertVerifier(verifier, 'sigilExpress');
  const parse = options.parseBody ?? true;
  const signing = settleSigning(options.signResponses, verifier, 'sigilExpress');
  const bind = verifyOptions(signing);
  return (req, res, next) => {
    // Only a read stream matters: Express 4's parsers set req.body = {} on bodiless requests.
    if (bodyTouched(req)) {
      next(
        new SigilError('invalid_option', {
          detail: 'the request body was read before sigilExpress() ran; mount it before express.json() and other body parsers',
        }),
      );
      return;
    }
    // Inside app.use('/api', ...) or a router, req.url lost its mount path;
    // Express keeps the target as received in originalUrl.
    verifyNodeRequestAt(verifier, req, req.originalUrl, bind).then((result) => {
      if (!result.ok) return writeSignedFailure(res, result, verifier, signing);
      // Webhook deliveries are never response-signed.
      if (signing && !isWebhookSuccess(result)) signNodeResponse(res, result, signing, req.method === 'HEAD');
      const body = result.body;
      req.rawBody = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      if (isWebhookSuccess(result)) req.sigilWebhook = result;
      else req.sigil = result;
      if (parse) {
        try {
          req.body = parseBody(req.headers['content-type'], body) ?? req.body;
        } catch (error) {
          return next(error);
        }
      }
      next();
    }, next);
  };
}
