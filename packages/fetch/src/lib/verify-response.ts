// Response verification (SPEC.md sections 11.6 and 11.8), one piece of code
// for the signing fetch and the undici interceptor: the response to a signed
// attempt is verified before the caller, the redirect logic or the clock
// correction sees any of it, against the request the client kept when it
// signed it (never values read back from the response). A failure is a
// SigilError carrying a code only.
import { headerCount, parseSignatureHeader, SIGNATURE_HEADER, SigilError, verifyResponse, type HeaderList } from '@sigil/core';
import { defaultResponseComponents, verifyRfc9421Response, type Rfc9421Request } from '@sigil/core/rfc9421';
import type { SigningConfig } from '../options.js';
import { readStream } from './body.js';
import { rfc9421Request, withHost, type HeaderPair } from './sign-parts.js';

/** @internal What `verifyResponses` settled to. */
export interface ResponsePolicy {
  /** Response headers required signed besides content-type (lowercase). */
  readonly require: readonly string[];
  readonly maxBodyBytes: number;
}

/**
 * @internal The request a response must answer, kept when it was signed:
 * v1 binds its nonce and MAC, RFC 9421 its components and signature (`req`).
 */
export type SentRequest =
  | { readonly scheme: 'v1'; readonly nonce: string; readonly mac: string }
  | { readonly scheme: 'rfc9421'; readonly request: Rfc9421Request; readonly label: string };

/** @internal A response as received: status, header lines and the whole body. */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: Uint8Array | null;
}

// Redirects are followed by the client (or undici's redirect interceptor): their Location must be signed.
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * @internal Keeps what a response must be bound to, from the header lines
 * of the attempt as sent (the signature lines included).
 */
export function sentRequest(config: SigningConfig, url: URL, method: string, target: string, sent: readonly HeaderPair[]): SentRequest {
  if (!config.rfc9421) {
    const { nonce, mac } = parseSignatureHeader(sent.find(([name]) => name === SIGNATURE_HEADER)![1]);
    return { scheme: 'v1', nonce, mac };
  }
  return { scheme: 'rfc9421', label: config.rfc9421.label, request: rfc9421Request({ method, url, target, headers: sent, body: null }, withHost(sent, url)) };
}

/**
 * The header names the client acts on in this response, so must be signed:
 * a redirect's Location (followed by this client or undici's redirect
 * interceptor), and on a 401, when present, the Sigil-Server-Time its clock
 * correction would learn and the Accept-Signature it would answer.
 */
function actedOn(config: SigningConfig, policy: ResponsePolicy, response: ReceivedResponse): string[] {
  const names = [...policy.require];
  if (REDIRECTS.has(response.status)) names.push('location');
  if (response.status !== 401) return names;
  const present = (name: string) => headerCount(response.headers, name) > 0;
  if (config.maxClockSkewSeconds > 0 && present('sigil-server-time')) names.push('sigil-server-time');
  if (config.acceptSignature && present('accept-signature')) names.push('accept-signature');
  return names;
}

/**
 * @internal Verifies a whole response against the attempt it answers.
 * Throws a SigilError with the code only: no status text, header value or
 * body byte leaves.
 */
export function checkResponse(config: SigningConfig, policy: ResponsePolicy, origin: string, sent: SentRequest, response: ReceivedResponse): void {
  const now = config.clock.now(origin);
  const tolerance = config.maxClockSkewSeconds || 300;
  const require = actedOn(config, policy, response);
  if (sent.scheme === 'v1') {
    const result = verifyResponse(response, config.key, { request: sent, now, toleranceSeconds: tolerance, requiredHeaders: require });
    if (!result.ok) throw new SigilError(result.code);
    return;
  }
  const rfc = config.rfc9421!;
  const result = verifyRfc9421Response(response, sent.request, (keyid) => (keyid === config.keyId ? rfc.key : undefined), {
    requestLabel: sent.label,
    requiredComponents: [...defaultResponseComponents(response, sent.label), ...require],
  });
  if (!result.ok) throw new SigilError(result.code);
  // Core checks no clock (SPEC.md section 11.8): the client's tolerance applies, as for v1.
  if (result.created === undefined) throw new SigilError('signature_header_malformed', { detail: 'created is required' });
  if (Math.abs(now - result.created) > tolerance || (result.expires !== undefined && now > result.expires)) throw new SigilError('timestamp_out_of_window');
}

// Statuses whose Response cannot carry a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * @internal The signing fetch's side: reads the body (up to the policy's
 * limit), verifies, and returns an equivalent Response over the verified
 * bytes; throws a SigilError after discarding the response.
 */
export async function verifiedResponse(config: SigningConfig, policy: ResponsePolicy, url: URL, sent: SentRequest, response: Response): Promise<Response> {
  let body: Uint8Array | null;
  try {
    body = response.body === null ? null : await readStream(response.body, policy.maxBodyBytes);
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw error;
  }
  const headers: HeaderPair[] = [];
  response.headers.forEach((value, name) => void headers.push([name, value]));
  checkResponse(config, policy, url.origin, sent, { status: response.status, headers, body });
  const copy = new Response(NULL_BODY.has(response.status) ? null : (body as BodyInit | null), { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}
