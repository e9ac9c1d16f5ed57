// The adapters' `signResponses` option (SPEC.md section 11.5), settled once
// at setup, and what every adapter shares: the failure answer with its
// Accept-Signature and signature, the per-route `sendUnsigned()` marker, and
// the answer to a body over the limit.
import { SigilError, type HeaderList } from '@sigil/core';
import { parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';
import type { AnyVerificationSuccess, VerificationFailure, VerificationResult, Verifier } from '../types.js';
import { describeIssue } from './issue.js';
import type { ResponseSignatureFields } from './response-binding.js';
import { failureReply, type FailureReply } from './response.js';

/**
 * The adapters' `signResponses` option: `true`, or the headers to sign
 * besides the default ones and the largest body buffered to be signed.
 *
 * @example
 * app.use(sigilExpress(verifier, { signResponses: { headers: ['etag'], maxBodyBytes: 4 * 1024 * 1024 } }));
 */
export type SignResponsesOption =
  | boolean
  | {
      /** Response headers to sign when present, besides content-type, location, sigil-server-time and accept-signature. */
      readonly headers?: readonly string[];
      /** Largest response body buffered to be signed. Default 1 MiB; see `sendUnsigned()` for streams. */
      readonly maxBodyBytes?: number;
    };

/** The settled option: what an adapter signs with. */
export interface ResponseSigning {
  readonly headers: readonly string[];
  readonly maxBodyBytes: number;
  /** The field lines for `result`'s answer, or undefined when it cannot be bound. */
  sign(result: VerificationResult<AnyVerificationSuccess>, status: number, headers: HeaderList, body: Uint8Array | null): ResponseSignatureFields | undefined;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// Wrapped in an object so that every issue's path starts with the option's name.
const optionSchema = z.object({
  signResponses: z.union([
    z.boolean(),
    z.strictObject({
      headers: z.optional(z.array(z.string().check(z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, 'expected an HTTP field name')))),
      maxBodyBytes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(2 ** 31))),
    }),
  ]),
});

/**
 * Validates an adapter's `signResponses` at setup. Undefined when off.
 * Throws `invalid_option` naming the option, and a TypeError for a verifier
 * that cannot sign (not from createVerifier()).
 */
export function settleSigning(option: unknown, verifier: Verifier<AnyVerificationSuccess>, where: string): ResponseSigning | undefined {
  if (option === undefined || option === false) return undefined;
  const parsed = parseOptions(optionSchema, { signResponses: option });
  if (!parsed.success) throw new SigilError('invalid_option', { detail: `${where}: ${describeIssue(parsed.error, 'options')}` });
  const value = parsed.data.signResponses;
  if (value === false) return undefined;
  if (typeof verifier.signResponse !== 'function') throw new TypeError(`${where}: signResponses needs a verifier from createVerifier()`);
  if (value === true) return signingWith(verifier, [], DEFAULT_MAX_BODY_BYTES);
  return signingWith(verifier, value.headers ?? [], value.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
}

function signingWith(verifier: Verifier<AnyVerificationSuccess>, headers: readonly string[], maxBodyBytes: number): ResponseSigning {
  return { headers, maxBodyBytes, sign: (result, status, list, body) => verifier.signResponse(result, { status, headers: list, body }, { headers }) };
}

/** Signing with the default headers, for a caller that passes only the verifier; undefined for one that cannot sign. */
export function defaultSigning(verifier: Verifier<AnyVerificationSuccess>): ResponseSigning | undefined {
  return typeof verifier.signResponse === 'function' ? signingWith(verifier, [], DEFAULT_MAX_BODY_BYTES) : undefined;
}

/** The verify() options of an adapter: binding only when it signs. */
export function verifyOptions(signing: ResponseSigning | undefined): { bindResponse: true } | undefined {
  return signing ? BIND : undefined;
}
const BIND = Object.freeze({ bindResponse: true as const });

/** A FailureReply's headers as field lines. */
function lines(headers: Readonly<Record<string, string>>): Array<readonly [string, string]> {
  return Object.entries(headers);
}

/**
 * The failure answer of an adapter holding `verifier`: failureReply, with
 * the verifier's Accept-Signature on a 401, and (when signing) its response
 * signature when the failure is bound.
 */
export function answerFailure(verifier: Pick<Verifier<AnyVerificationSuccess>, 'acceptSignature'> | undefined, failure: VerificationFailure, signing?: ResponseSigning): FailureReply {
  const reply = failureReply(failure);
  const accept = verifier?.acceptSignature;
  if (accept === undefined && !signing) return reply;
  const headers: Record<string, string> = { ...reply.headers };
  if (accept !== undefined && reply.status === 401) headers['accept-signature'] = accept;
  const fields = signing?.sign(failure, reply.status, lines(headers), new TextEncoder().encode(reply.body));
  for (const [name, value] of fields ?? []) headers[name] = value;
  return { ...reply, headers };
}

/** The answer that replaces a response whose body passed `maxBodyBytes` without `sendUnsigned()`. */
export const OVERSIZE: FailureReply = Object.freeze({
  status: 500,
  headers: Object.freeze({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }),
  body: '{"error":"response_too_large"}',
});

/** OVERSIZE, signed when `result` is bound. */
export function oversizeReply(result: VerificationResult<AnyVerificationSuccess>, signing: ResponseSigning): FailureReply {
  const headers: Record<string, string> = { ...OVERSIZE.headers };
  for (const [name, value] of signing.sign(result, OVERSIZE.status, lines(headers), new TextEncoder().encode(OVERSIZE.body)) ?? []) headers[name] = value;
  return { ...OVERSIZE, headers };
}

// Symbol.for, not a module WeakSet: each adapter entry is bundled on its own
// (CJS), and a mark set through one entry must be seen by another.
const UNSIGNED = Symbol.for('sigil.verify.sendUnsigned');

/**
 * Marks one response to go out unsigned, for a route whose body cannot be
 * hashed before its headers are sent (server-sent events, a large
 * download) while the adapter signs responses. The explicit, per-route
 * choice SPEC.md section 11.5 asks for: without it, a body over
 * `signResponses.maxBodyBytes` is replaced by a 500
 * `{"error":"response_too_large"}`, never sent unsigned. Pass what the
 * handler answers with: a Node `ServerResponse` (node, Express) before
 * the first write, a Fastify `reply`, or a Fetch `Response` (Fetch
 * handler, Hono). Returns its argument. A client that verifies responses
 * refuses the unsigned answer (`response_signature_missing`).
 *
 * @example
 * app.get('/events', (req, res) => {
 *   sendUnsigned(res).writeHead(200, { 'content-type': 'text/event-stream' });
 *   stream.pipe(res);
 * });
 */
export function sendUnsigned<T extends object>(target: T): T {
  if (typeof target !== 'object' || target === null) throw new TypeError('sendUnsigned: expected a response, reply or Response');
  (target as Record<symbol, unknown>)[UNSIGNED] = true;
  return target;
}

/** True when sendUnsigned() marked `target`. */
export function isUnsigned(target: object): boolean {
  return (target as Record<symbol, unknown>)[UNSIGNED] === true;
}
