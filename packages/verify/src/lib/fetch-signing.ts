// Response signing for Fetch `Response`s (the Fetch handler and Hono): the
// body is read whole, capped at `maxBodyBytes`, signed over those bytes and
// handed on in a new Response carrying the signature. A Response marked with
// `sendUnsigned()` passes untouched; one over the limit is replaced by a
// signed 500 `response_too_large`. No Node APIs.
import { isSigilError } from '@sigil/core';
import type { AnyVerificationSuccess, VerificationResult } from '../types.js';
import { isUnsigned, oversizeReply, type ResponseSigning } from './sign-responses.js';
import type { FailureReply } from './response.js';
import { readStreamCapped } from './stream-body.js';

// Statuses whose Response cannot carry a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A FailureReply as a Fetch Response. */
export function replyResponse(reply: FailureReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/**
 * True on @hono/node-server (its bindings carry the Node request), whose
 * listener adds `content-type: text/plain; charset=UTF-8` to every response
 * without one, after the adapter has signed it.
 */
export function onNodeServer(env: unknown): boolean {
  return typeof (env as { incoming?: { socket?: unknown } } | undefined)?.incoming?.socket === 'object';
}

/**
 * `response`, signed for `result` (SPEC.md section 11.5). `head` is true
 * for a HEAD request: its body is never sent, so the empty body is signed.
 * `nodeServer`: the runtime adds a Content-Type to a response without one,
 * so that header is added here first and signed.
 */
export async function signFetchResponse(
  response: Response,
  result: VerificationResult<AnyVerificationSuccess>,
  signing: ResponseSigning,
  head: boolean,
  nodeServer = false,
): Promise<Response> {
  if (isUnsigned(response)) return response;
  let body: Uint8Array | null;
  try {
    body = response.body === null ? null : await readStreamCapped(response.body, signing.maxBodyBytes);
  } catch (error) {
    if (isSigilError(error, 'body_too_large')) return replyResponse(oversizeReply(result, signing));
    throw error;
  }
  const bodyless = NULL_BODY.has(response.status);
  const headers = new Headers(response.headers);
  if (nodeServer && !headers.has('content-type')) headers.set('content-type', 'text/plain; charset=UTF-8');
  const fields = signing.sign(result, response.status, [...headers], head || bodyless ? null : body);
  for (const [name, value] of fields ?? []) headers.set(name, value);
  return new Response(bodyless ? null : (body as Uint8Array<ArrayBuffer> | null), { status: response.status, statusText: response.statusText, headers });
}
