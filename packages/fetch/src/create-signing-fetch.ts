import { SERVER_TIME_HEADER, SigilError } from '@sigil/core';
import { correctClock, parseServerTime } from './lib/clock.js';
import { readStream } from './lib/body.js';
import { emit, refused, type SigningEvent } from './lib/events.js';
import { crossOriginError, originNotAllowed } from './lib/origins.js';
import { isOpaqueRedirect, REDIRECT_STATUSES, redirectRequest } from './lib/redirect.js';
import { signParts, withoutSignature, type HeaderPair, type RequestParts } from './lib/sign-parts.js';
import { checkTransport } from './lib/transport.js';
import { acceptSignature, type AcceptRefusal } from './lib/accept-signature.js';
import { sentRequest, verifiedResponse } from './lib/verify-response.js';
import { redact, resolveFetchOptions, type SigningConfig, type SigningFetchOptions, type WrappedFetchInit } from './options.js';

/** A function with the type and behaviour of `fetch`. */
export type SigningFetch = typeof fetch;

/** Init members the wrapper sets itself; every other member (undici's `dispatcher`...) passes through. */
const OWN_INIT = new Set(['method', 'headers', 'body', 'redirect', 'signal', 'duplex', 'window']);

interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: Iterable<[string, string]>;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly redirect?: RequestRedirect;
  readonly signal?: AbortSignal;
}

function isRequestLike(value: unknown): value is RequestLike {
  const v = value as Partial<RequestLike> | null;
  return typeof v === 'object' && v !== null && typeof v.url === 'string' && typeof v.method === 'string' && typeof v.headers === 'object';
}

/**
 * Normalises the input once with the platform's Request: method case,
 * headers, and the body with the content-type fetch would send (FormData
 * with its boundary, URLSearchParams, Blob type, text). A Request from
 * another fetch implementation (undici's) is copied member by member.
 */
function toRequest(input: unknown, init: RequestInit | undefined): Request {
  if (typeof input === 'string' || input instanceof URL || input instanceof Request || !isRequestLike(input)) {
    // Anything else is stringified, exactly as fetch does.
    return new Request(input as string | URL | Request, init);
  }
  const copy: RequestInit & { duplex: 'half' } = {
    method: input.method,
    headers: [...input.headers],
    body: input.body,
    duplex: 'half',
    ...(input.redirect ? { redirect: input.redirect } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  return new Request(input.url, { ...copy, ...init });
}

/** The sent headers, as fetch would send them: no Host (fetch sets it) and no stale signature. */
function headerPairs(headers: Headers): HeaderPair[] {
  const out: HeaderPair[] = [];
  headers.forEach((value, name) => {
    if (name !== 'host') out.push([name, value]);
  });
  return withoutSignature(out);
}

/**
 * True when a 401 is the verifier's timestamp rejection: it carries
 * Sigil-Server-Time, and its JSON body, if it names a code, names that one.
 * Returns the server's clock (Unix seconds) or undefined.
 */
async function timestampRejection(response: Response): Promise<number | undefined> {
  if (response.status !== 401) return undefined;
  const serverTime = parseServerTime(response.headers.get(SERVER_TIME_HEADER));
  if (serverTime === undefined) return undefined;
  if ((response.headers.get('content-type') ?? '').includes('json') && response.body) {
    try {
      // A verifier's failure body is a few bytes; read no more than 16 KiB of a copy.
      const text = new TextDecoder().decode(await readStream(response.clone().body!, 16 * 1024));
      const json = JSON.parse(text) as { code?: unknown; error?: unknown } | null;
      const error = json?.error as { code?: unknown } | string | undefined;
      const code = json?.code ?? (typeof error === 'object' && error !== null ? error.code : error);
      if (typeof code === 'string' && code !== 'timestamp_out_of_window') return undefined;
    } catch {
      // An unreadable body does not contradict the header.
    }
  }
  return serverTime;
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to do: the response is dropped either way.
  }
}

/**
 * The settings to sign the one retry a 401's Accept-Signature asks for
 * (an `accept-signature` event), or undefined when the client's policy
 * declines it (an `accept-signature-refused` event with the reason).
 */
function askedRetry(
  config: SigningConfig,
  response: Response,
  retried: boolean,
  parts: RequestParts,
  event: (type: SigningEvent['type'], extra: { status: number; reason?: AcceptRefusal }) => void,
): SigningConfig | undefined {
  const answer = retried ? 'retried' : acceptSignature(config, config.acceptSignature!, response.headers.get('accept-signature')!, parts);
  if (typeof answer === 'string') {
    event('accept-signature-refused', { status: 401, reason: answer });
    return undefined;
  }
  event('accept-signature', { status: 401 });
  return { ...config, rfc9421: answer };
}

/** Where a request is, for events: updated as it moves through redirects. */
type Place = { keyId: string; method: string; origin: string; target: string };

async function send(config: SigningConfig, request: Request, init: RequestInit | undefined): Promise<Response> {
  const place: Place = { keyId: config.keyId, method: request.method, origin: '', target: '' };
  try {
    return await follow(config, request, init, place);
  } catch (error) {
    throw refused(config.onEvent, error, place);
  }
}

async function follow(config: SigningConfig, request: Request, init: RequestInit | undefined, place: Place): Promise<Response> {
  const event = (type: SigningEvent['type'], extra?: Omit<SigningEvent, 'type' | 'keyId' | 'method' | 'origin' | 'path'>): void =>
    emit(config.onEvent, type, place, extra);
  // The one place the wrapped fetch is called, with the init FetchLike documents.
  const baseFetch = (config.fetch ?? globalThis.fetch) as (input: string, init: WrappedFetchInit) => Promise<unknown>;
  const passthrough: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(init ?? {})) if (!OWN_INIT.has(name)) passthrough[name] = value;

  let url = new URL(request.url);
  Object.assign(place, { origin: url.origin, target: url.pathname });
  // Refuse before reading the body: a refused request costs nothing.
  if (!config.origins.allows(url)) throw originNotAllowed();
  checkTransport(url, config.allowInsecureHttp);
  let method = request.method;
  let headers: readonly HeaderPair[] = headerPairs(request.headers);
  // Buffered once: every attempt (redirect, clock retry) sends these bytes.
  let body = request.body === null ? null : await readStream(request.body, config.maxBodyBytes);
  const startOrigin = url.origin;
  let signed = true;
  let clockRetried = false;
  let acceptRetried = false;
  // The settings of the one attempt signed as an Accept-Signature asked.
  let asked: SigningConfig | undefined;
  let hops = 0;

  for (;;) {
    Object.assign(place, { method, origin: url.origin, target: url.pathname });
    checkTransport(url, config.allowInsecureHttp);
    const target = url.pathname + url.search;
    const sent = signed ? [...headers, ...signParts(asked ?? config, { method, url, target, headers, body })] : headers;
    asked = undefined;
    if (signed) event('signed');
    // Sent as origin + the signed target: fetch implementations disagree on a
    // bare trailing "?" (undici sends it, Node's fetch drops it).
    const received = (await baseFetch(url.origin + target, {
      ...passthrough,
      method,
      headers: sent,
      ...(body === null ? {} : { body }),
      redirect: 'manual',
      signal: request.signal,
    })) as Response;
    // Verified before anything below reads it: no unverified Sigil-Server-Time or Location.
    const response =
      signed && config.verifyResponses ? await verifiedResponse(config, config.verifyResponses, url, sentRequest(config, url, method, target, sent), received) : received;
    if (signed && config.verifyResponses) event('response-verified', { status: response.status });

    if (signed && !clockRetried) {
      const serverTime = await timestampRejection(response);
      if (serverTime !== undefined) {
        // Once per call: a second rejection means the clock is not the problem.
        clockRetried = true;
        // A clock not believed (too far off, or not over TLS) is not
        // retried: the 401 is the caller's answer.
        if (correctClock(config, url, serverTime, place)) {
          await discard(response);
          continue;
        }
      }
    }

    if (signed && config.acceptSignature && response.status === 401 && response.headers.has('accept-signature')) {
      asked = askedRetry(config, response, acceptRetried, { method, url, target, headers, body }, event);
      // Once per call, whatever the second 401 asks.
      acceptRetried = true;
      if (asked) {
        await discard(response);
        continue;
      }
    }

    if (isOpaqueRedirect(response) && request.redirect !== 'manual') {
      await discard(response);
      if (request.redirect === 'error') throw new TypeError('fetch failed: redirect refused by redirect: "error"');
      throw new SigilError('redirect_opaque', { detail: 'the browser hides where it leads: request the final URL, or pass redirect: "manual" to get the opaque response' });
    }
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null || request.redirect === 'manual') {
      if (hops > 0) Object.defineProperty(response, 'redirected', { value: true });
      return response;
    }
    if (request.redirect === 'error') {
      await discard(response);
      throw new TypeError('fetch failed: redirect refused by redirect: "error"');
    }
    if (hops >= config.maxHops) {
      await discard(response);
      throw new SigilError('too_many_redirects', { detail: `options.redirect.maxHops is ${config.maxHops}` });
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (cause) {
      await discard(response);
      throw new TypeError('fetch failed: the redirect Location is not a URL', { cause });
    }
    await discard(response);
    hops++;
    ({ method, headers, body } = redirectRequest(response.status, method, headers, body));
    // Events (a refusal included) name the destination from here on.
    Object.assign(place, { method, origin: next.origin, target: next.pathname });
    if (signed && next.origin !== startOrigin) {
      if (config.crossOrigin === 'error') throw crossOriginError(config.origins, next);
      // Off the origin for good: no later hop is signed, even one that comes back.
      signed = false;
      headers = withoutSignature(headers, true);
    }
    event('redirect', { status: response.status, signed });
    url = next;
  }
}

/**
 * Wraps fetch so every request it sends is signed with Sigil v1 (or, with
 * `scheme: 'rfc9421'`, RFC 9421 HTTP Message Signatures). The result
 * has fetch's exact type. Each attempt (redirect hop, clock-skew retry) gets
 * a fresh timestamp and nonce; the body is buffered once, signed over the
 * exact bytes sent, and never read twice.
 *
 * Sends the key only to `origins`: any other origin, or a redirect toward
 * one, is refused before anything is sent (`origin_not_allowed`; SSRF).
 * Refuses plain http: except to loopback hosts (`insecure_transport`),
 * never sends a signature to another origin on redirect, and buffers at most
 * `maxBodyBytes` (`body_too_large`). Options are validated here and the
 * secret is imported once; a bad option throws `invalid_option` naming it.
 *
 * With `verifyResponses`, every response to a signed attempt is verified
 * (v1 or RFC 9421, bound to the request as sent) before the caller, a
 * redirect or a clock correction sees it; a forged one rejects with its
 * code alone. With `acceptSignature` (RFC 9421), a 401's Accept-Signature
 * is answered by one retry within the client's policy.
 *
 * @example
 * import { createSigningFetch } from '@sigil/fetch';
 * import { importKey } from '@sigil/core';
 *
 * const signedFetch = createSigningFetch({
 *   keyId: 'client-1',
 *   secret: importKey(process.env.SIGIL_SECRET!, { encoding: 'base64url' }),
 *   origins: ['https://api.example.com'],
 * });
 * const res = await signedFetch('https://api.example.com/v1/orders', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ qty: 1 }),
 * });
 *
 * // RFC 9421 instead: Content-Digest, Signature-Input and Signature.
 * const rfcFetch = createSigningFetch({ keyId: 'client-1', secret, origins: ['https://api.example.com'], scheme: 'rfc9421' });
 *
 * // Signed responses verified, and a server's Accept-Signature answered once.
 * const strictFetch = createSigningFetch({
 *   keyId: 'client-1', secret, origins: ['https://api.example.com'],
 *   scheme: 'rfc9421', verifyResponses: true, acceptSignature: true,
 * });
 */
export function createSigningFetch(options: SigningFetchOptions): SigningFetch {
  const config = resolveFetchOptions(options);
  const signingFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    try {
      return send(config, toRequest(input, init), init);
    } catch (error) {
      // fetch reports every failure through its promise, bad arguments included.
      return Promise.reject(error);
    }
  };
  return redact(signingFetch, 'SigningFetch', config) as SigningFetch;
}
