// Response verification for the signing fetch (SPEC.md section 11.6): the
// response to a signed attempt is verified before the caller, the redirect
// logic or the clock correction sees any of it. The body is buffered up to a
// limit; a failure is a SigilError carrying a code only.
import { parseSignatureHeader, SIGNATURE_HEADER, SigilError, verifyResponse } from '@sigil/core';
import type { SigningConfig } from '../options.js';
import { readStream } from './body.js';
import type { HeaderPair } from './sign-parts.js';

/** @internal What `verifyResponses` settled to. */
export interface ResponsePolicy {
  /** Response headers required signed besides content-type (lowercase). */
  readonly require: readonly string[];
  readonly maxBodyBytes: number;
}

// Redirects are followed by this client: their Location must be signed.
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Statuses whose Response cannot carry a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * @internal Verifies `response` against the attempt sent with `sent` (the
 * request's own Sigil-Signature: its nonce and MAC, never read from the
 * response). Returns an equivalent Response over the verified bytes, or
 * throws a SigilError after discarding the response.
 */
export async function verifiedResponse(config: SigningConfig, policy: ResponsePolicy, url: URL, sent: readonly HeaderPair[], response: Response): Promise<Response> {
  let body: Uint8Array | null;
  try {
    body = response.body === null ? null : await readStream(response.body, policy.maxBodyBytes);
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw error;
  }
  const own = sent.find(([name]) => name === SIGNATURE_HEADER)![1];
  const { nonce, mac } = parseSignatureHeader(own);
  const require = REDIRECTS.has(response.status) ? [...policy.require, 'location'] : policy.require;
  const result = verifyResponse({ status: response.status, headers: response.headers, body }, config.key, {
    request: { nonce, mac },
    now: config.clock.now(url.origin),
    toleranceSeconds: config.maxClockSkewSeconds || 300,
    requiredHeaders: require,
  });
  // Only the code leaves: no status text, header value or body byte.
  if (!result.ok) throw new SigilError(result.code);
  const copy = new Response(NULL_BODY.has(response.status) ? null : (body as BodyInit | null), { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}
