import {
  importKey,
  isKeyId,
  isSigilError,
  KEY_ENCODINGS,
  LIMITS,
  SIGNATURE_HEADER,
  SigilError,
  SigilKey,
  signedHeaderList,
  signRequest,
  type Algorithm,
  type KeyEncoding,
} from '@sigil/core';
import { parseOptions } from '@sigil/core/options';
import { MAX_COMPONENTS } from '@sigil/core/rfc9421';
import * as z from 'zod/mini';
import type { $ZodError } from 'zod/v4/core';
import { ClockOffsets } from './lib/clock.js';
import type { EventSink, SigningEvent } from './lib/events.js';
import { exactOrigin, originPolicy, type OriginPolicy } from './lib/origins.js';
import { schemeShape, settleScheme, type Rfc9421Config, type Rfc9421SigningOptions, type SigningScheme } from './lib/scheme-options.js';
import type { AcceptSignaturePolicy } from './lib/accept-signature.js';
import type { ResponsePolicy } from './lib/verify-response.js';

/**
 * What to do when a redirect leads to another origin (scheme, host or port
 * differ, an https: to http: downgrade included). A signature is never sent
 * there: `'error'` stops with `redirect_cross_origin`, `'follow-unsigned'`
 * follows without a signature (and without Authorization or Cookie).
 */
export type CrossOriginRedirect = 'error' | 'follow-unsigned';

/**
 * `verifyResponses`: verify every response to a signed request (SPEC.md
 * section 11: a v1 `Sigil-Response-Signature`, or with `scheme: 'rfc9421'`
 * an RFC 9421 response signature, section 11.8), bound to the request the
 * client sent, before the caller sees any of it, before a redirect is
 * followed (its `location` is always required signed) and before a
 * `Sigil-Server-Time` or `Accept-Signature` of a 401 is acted on (each
 * required signed when present). `require` lists more response headers
 * that must be signed; the body is buffered up to `maxBodyBytes` (default:
 * the signer's `maxBodyBytes`). A failing response is a SigilError with its
 * code only: no header or body byte of it reaches the caller. Default off.
 *
 * @example
 * const verifyResponses: VerifyResponsesOption = { require: ['x-balance'], maxBodyBytes: 1 << 20 };
 */
export type VerifyResponsesOption = boolean | { readonly require?: readonly string[]; readonly maxBodyBytes?: number };

/** Options shared by createSigningFetch() and signingInterceptor(). */
export interface SigningOptions {
  /** The key id the verifier looks the secret up by. */
  readonly keyId: string;
  /**
   * The shared secret: a key from `importKey()`/`generateKey()` (best: it
   * never shows its bytes), raw bytes, or a string with `secretEncoding`.
   * Imported once, when the wrapper is created.
   */
  readonly secret: SigilKey | Uint8Array | string;
  /** Required when `secret` is a string: Sigil never guesses an encoding. */
  readonly secretEncoding?: KeyEncoding;
  /**
   * Header names to sign besides `host` (always) and `content-type` (always
   * when present). A listed header is signed when the request carries it.
   */
  readonly signedHeaders?: readonly string[];
  /** Default `'hmac-sha256'`. */
  readonly algorithm?: Algorithm;
  /** Largest body the signer buffers and signs, in bytes. Default 10 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Allows signed requests over plain http: to non-loopback hosts. Off by
   * default: anyone on the path could read and replay them.
   */
  readonly allowInsecureHttp?: boolean;
  /** Milliseconds since the Unix epoch, like `Date.now` (the default). */
  readonly clock?: () => number;
  /**
   * The largest clock correction the client accepts from a server's
   * `Sigil-Server-Time`, in seconds either way. Default 300. A larger jump
   * is refused (a `clock-refused` event, no retry, the 401 returned): an
   * on-path party could otherwise move the client's clock far ahead and
   * keep the retry to replay it later. Corrections are learned only from
   * https: origins and loopback hosts. 0 turns clock correction off.
   */
  readonly maxClockSkewSeconds?: number;
  /**
   * Called with a secret-free event for every signed attempt, refusal,
   * redirect hop and clock-skew retry (audit logs, metrics). Errors it
   * throws are ignored.
   */
  readonly onEvent?: (event: SigningEvent) => void;
  /**
   * The origins the key may be sent to: `['https://api.example.com']`
   * (scheme, host and port matched exactly, default ports normalised), a
   * wildcard written out as `'https://*.example.com'` (one or more labels
   * under it, never the apex), or `'*'` for any origin, so the unsafe
   * choice shows in code review. createSigningFetch() refuses any other
   * origin with `origin_not_allowed` before anything is sent (SSRF); the
   * interceptor signs only a request whose destination it knows to be
   * listed (see `dispatcherOrigin`) and passes the others through unsigned.
   */
  readonly origins: readonly string[] | '*';
  /** The signature scheme. Default `'v1'`; `'rfc9421'` sends Content-Digest, Signature-Input and Signature. */
  readonly scheme?: SigningScheme;
  /** RFC 9421 settings; only with `scheme: 'rfc9421'`. */
  readonly rfc9421?: Rfc9421SigningOptions;
}

/** How createSigningFetch() follows redirects. */
export interface RedirectOptions {
  /** Default `'error'`. */
  readonly crossOrigin?: CrossOriginRedirect;
  /** Redirects followed before `too_many_redirects`. Default 5. */
  readonly maxHops?: number;
}

/**
 * What the wrapper hands the fetch it wraps: a URL string and this init
 * (plus any init members it does not use itself, such as undici's
 * `dispatcher`). It must resolve with a Response.
 */
export interface WrappedFetchInit {
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  readonly redirect: 'manual';
  readonly signal: AbortSignal;
  readonly [passthrough: string]: unknown;
}

/**
 * A fetch implementation to send with: `globalThis.fetch` (the default) or
 * undici's `fetch`, which declare different but compatible init types. The
 * `never` parameter accepts either without `any`; the wrapper calls it with
 * a {@link WrappedFetchInit}.
 *
 * @example
 * import { fetch } from 'undici';
 * const impl: FetchLike = fetch;
 */
export type FetchLike = (input: string, init: never) => Promise<unknown>;

/** Options of createSigningFetch(). */
export interface SigningFetchOptions extends SigningOptions {
  /** The fetch to wrap. Default `globalThis.fetch`, looked up at call time. */
  readonly fetch?: FetchLike;
  readonly redirect?: RedirectOptions;
  readonly verifyResponses?: VerifyResponsesOption;
  /**
   * Answer a server's `401` carrying `Accept-Signature` (RFC 9421 section
   * 5.1; `scheme: 'rfc9421'` only) by signing once more, as asked, within
   * this client's policy: same origin, same key id, same algorithm; the
   * asked components are added to the client's own, and only components it
   * can produce from the request it holds (never `req`, `@status` or the
   * signature fields). Asked for another `keyid` or `alg`, more than
   * `maxComponents` (default 16) or something it cannot sign, it does not
   * retry: an `accept-signature-refused` event says why and the 401 is the
   * caller's answer. At most one such retry per call. Default off.
   */
  readonly acceptSignature?: boolean | { readonly maxComponents?: number };
}

/** Options of signingInterceptor(). */
export interface SigningInterceptorOptions extends SigningOptions {
  /**
   * The origins (`https://api.example.com`) whose requests are signed.
   * Requests to any other origin pass through unsigned, so the interceptor
   * can sit on a shared Agent without handing signatures to other hosts.
   */
  readonly origins: readonly string[] | '*';
  /**
   * Required when the interceptor is composed onto a `Client` or `Pool`:
   * the origin that Client or Pool was created with. undici's `compose()`
   * hands an interceptor only `dispatch`, and a Client or Pool sends every
   * request to its own origin whatever `opts.origin` says, so the
   * interceptor cannot see where such a request goes. With this option set,
   * every dispatch is taken to go to this origin (signed only when it is
   * listed), and one whose `opts.origin` names another origin is refused
   * with `origin_not_allowed`. Without it, `opts.origin` is the destination
   * (an `Agent` and the global dispatcher route by it), and a dispatch
   * without `opts.origin` is refused with `invalid_option`: nothing is sent.
   * Either way a signed request that undici creates for another origin
   * (its `undici:request:create` diagnostics message) is aborted with
   * `origin_not_allowed` before it is written.
   */
  readonly dispatcherOrigin?: string;
  readonly redirect?: {
    /** A redirect chain that leaves its origin. Default `'error'`. */
    readonly crossOrigin?: CrossOriginRedirect;
  };
  /**
   * As createSigningFetch()'s: the response to each signed dispatch is
   * buffered and verified before the handler sees its status, headers or
   * body, so a redirect interceptor composed outside never follows an
   * unverified Location; a failure reaches the handler as `onResponseError`
   * only.
   */
  readonly verifyResponses?: VerifyResponsesOption;
}

/** @internal Validated options with the key imported. */
export interface SigningConfig {
  readonly keyId: string;
  readonly key: SigilKey;
  readonly algorithm: Algorithm;
  /** Lowercase, sorted, without host and content-type. */
  readonly signedHeaders: readonly string[];
  readonly maxBodyBytes: number;
  readonly allowInsecureHttp: boolean;
  readonly crossOrigin: CrossOriginRedirect;
  readonly maxHops: number;
  readonly clock: ClockOffsets;
  readonly fetch: FetchLike | undefined;
  readonly onEvent: EventSink;
  readonly origins: OriginPolicy;
  /** The interceptor's `dispatcherOrigin` (an origin), when stated. */
  readonly dispatcherOrigin: string | undefined;
  /** Largest clock correction learned from a server, in seconds. */
  readonly maxClockSkewSeconds: number;
  /** Undefined for the v1 scheme. */
  readonly rfc9421: Rfc9421Config | undefined;
  /** Undefined: responses are not verified. */
  readonly verifyResponses?: ResponsePolicy | undefined;
  /** Undefined: an Accept-Signature is never acted on. */
  readonly acceptSignature?: AcceptSignaturePolicy | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The default of `maxClockSkewSeconds`: a verifier's usual window. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
/** A day: beyond that the local clock is broken, and no correction is safe. */
const MAX_CLOCK_SKEW_LIMIT = 86_400;
const DEFAULT_MAX_HOPS = 5;
/** Most components an Accept-Signature may ask for before the client declines. */
const DEFAULT_MAX_ACCEPTED_COMPONENTS = 16;

const isFunction = (value: unknown): boolean => typeof value === 'function';

const common = {
  keyId: z.string(),
  secret: z.custom<SigilKey | Uint8Array | string>(
    (value) => value instanceof SigilKey || value instanceof Uint8Array || typeof value === 'string',
    { message: 'must be a SigilKey, a Uint8Array or a string' },
  ),
  secretEncoding: z.optional(z.enum(KEY_ENCODINGS)),
  signedHeaders: z.optional(z.array(z.string())),
  algorithm: z.optional(z.enum(['hmac-sha256', 'hmac-sha512'])),
  maxBodyBytes: z.optional(z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER))),
  allowInsecureHttp: z.optional(z.boolean()),
  clock: z.optional(z.custom<() => number>(isFunction, { message: 'must be a function returning milliseconds' })),
  maxClockSkewSeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(MAX_CLOCK_SKEW_LIMIT))),
  onEvent: z.optional(z.custom<(event: SigningEvent) => void>(isFunction, { message: 'must be a function' })),
  ...schemeShape,
};
const ORIGINS = "must be '*' or a non-empty list of origins";
const origins = z.union([z.literal('*'), z.array(z.string()).check(z.minLength(1, ORIGINS))], {
  error: (issue) => (issue.input === undefined ? "required: list the origins the key may be sent to, or write '*'" : ORIGINS),
});
const crossOrigin = z.optional(z.enum(['error', 'follow-unsigned']));
const verifyResponses = z.optional(
  z.union([
    z.boolean(),
    z.strictObject({
      require: z.optional(z.array(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/)))),
      maxBodyBytes: z.optional(z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER))),
    }),
  ]),
);

const fetchSchema = z.strictObject({
  ...common,
  fetch: z.optional(z.custom<FetchLike>(isFunction, { message: 'must be a fetch function' })),
  origins,
  redirect: z.optional(z.strictObject({ crossOrigin, maxHops: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(20))) })),
  verifyResponses,
  acceptSignature: z.optional(z.union([z.boolean(), z.strictObject({ maxComponents: z.optional(z.number().check(z.int(), z.positive(), z.maximum(MAX_COMPONENTS))) })])),
});

const interceptorSchema = z.strictObject({
  ...common,
  origins,
  dispatcherOrigin: z.optional(z.string()),
  redirect: z.optional(z.strictObject({ crossOrigin })),
  verifyResponses,
});

function invalid(option: string, problem: string): SigilError {
  return new SigilError('invalid_option', { detail: `options.${option} ${problem}` });
}

/** Turns a zod failure into one invalid_option that names the option, never its value. */
function firstIssue(error: $ZodError, factory: string): SigilError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    return new SigilError('invalid_option', { detail: `${factory}() has no option ${issue.keys.map((k) => `"${k}"`).join(', ')}` });
  }
  if (issue.path.length === 0) return new SigilError('invalid_option', { detail: `${factory}() needs an options object` });
  return invalid(issue.path.join('.'), `is invalid (${issue.message})`);
}

function importSecret(secret: SigilKey | Uint8Array | string, encoding: KeyEncoding | undefined): SigilKey {
  if (typeof secret === 'string' && encoding === undefined) {
    throw invalid('secretEncoding', 'is required when options.secret is a string (base64url, base64, hex or utf8)');
  }
  try {
    return importKey(secret, { encoding });
  } catch (error) {
    // Core's messages are secret-free; rethrow as our own so the option is named.
    if (isSigilError(error)) throw new SigilError('invalid_key', { detail: `options.secret: ${error.message}` });
    throw error;
  }
}

function headerNames(names: readonly string[] | undefined): string[] {
  let list: string[];
  try {
    list = signedHeaderList(names);
  } catch {
    throw invalid('signedHeaders', 'must hold HTTP field names');
  }
  if (list.includes(SIGNATURE_HEADER)) throw invalid('signedHeaders', `may not list ${SIGNATURE_HEADER}`);
  const extra = list.filter((name) => name !== 'host' && name !== 'content-type');
  if (extra.length + 2 > LIMITS.signedHeaders) throw invalid('signedHeaders', `may list at most ${LIMITS.signedHeaders - 2} names`);
  return extra;
}

function checkKeyId(config: Pick<SigningConfig, 'key' | 'keyId' | 'algorithm'>): void {
  // Core's own grammar check (no second copy of it here): the only thing
  // reported as a keyId problem is the keyId failing it.
  if (!isKeyId(config.keyId)) throw invalid('keyId', 'must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : -');
  // A trial signature prepares the HMAC state once. Whatever fails in it is
  // no option's fault: it propagates as it is, never reworded as a keyId
  // (or any other option) problem.
  signRequest({ method: 'GET', target: '/', headers: [['host', 'localhost']] }, config.key, {
    keyId: config.keyId,
    timestamp: 0,
    algorithm: config.algorithm,
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
  });
}

function resolve(parsed: z.output<typeof fetchSchema> | z.output<typeof interceptorSchema>): Omit<SigningConfig, 'fetch' | 'dispatcherOrigin'> {
  const key = importSecret(parsed.secret, parsed.secretEncoding);
  const algorithm = parsed.algorithm ?? 'hmac-sha256';
  checkKeyId({ key, keyId: parsed.keyId, algorithm });
  const maxClockSkewSeconds = parsed.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  return {
    keyId: parsed.keyId,
    key,
    algorithm,
    signedHeaders: headerNames(parsed.signedHeaders),
    maxBodyBytes: parsed.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    allowInsecureHttp: parsed.allowInsecureHttp ?? false,
    crossOrigin: parsed.redirect?.crossOrigin ?? 'error',
    maxHops: DEFAULT_MAX_HOPS,
    clock: new ClockOffsets(parsed.clock ?? Date.now, maxClockSkewSeconds),
    maxClockSkewSeconds,
    onEvent: parsed.onEvent,
    origins: originPolicy(parsed.origins, parsed.allowInsecureHttp ?? false),
    rfc9421: settleScheme(parsed, key, parsed.keyId, algorithm),
  };
}

/** @internal Validates createSigningFetch() options; throws invalid_option or invalid_key. */
export function resolveFetchOptions(options: SigningFetchOptions): SigningConfig {
  const result = parseOptions(fetchSchema, options);
  if (!result.success) throw firstIssue(result.error, 'createSigningFetch');
  const parsed = result.data;
  const config = resolve(parsed);
  const accept = parsed.acceptSignature;
  if (accept && !config.rfc9421) throw invalid('acceptSignature', "answers RFC 9421's Accept-Signature: use it with scheme 'rfc9421'");
  const acceptSignature = accept ? { maxComponents: (accept === true ? undefined : accept.maxComponents) ?? DEFAULT_MAX_ACCEPTED_COMPONENTS } : undefined;
  return {
    ...config,
    maxHops: parsed.redirect?.maxHops ?? DEFAULT_MAX_HOPS,
    fetch: parsed.fetch,
    dispatcherOrigin: undefined,
    verifyResponses: responsePolicy(parsed.verifyResponses, config.maxBodyBytes),
    acceptSignature,
  };
}

/** What `verifyResponses` settles to: undefined when off. */
function responsePolicy(verify: z.output<typeof verifyResponses>, maxBodyBytes: number): ResponsePolicy | undefined {
  if (!verify) return undefined;
  if (verify === true) return { require: [], maxBodyBytes };
  return { require: (verify.require ?? []).map((name) => name.toLowerCase()), maxBodyBytes: verify.maxBodyBytes ?? maxBodyBytes };
}

/** @internal Validates signingInterceptor() options; throws invalid_option or invalid_key. */
export function resolveInterceptorOptions(options: SigningInterceptorOptions): SigningConfig {
  const result = parseOptions(interceptorSchema, options);
  if (!result.success) throw firstIssue(result.error, 'signingInterceptor');
  const parsed = result.data;
  const dispatcherOrigin = parsed.dispatcherOrigin === undefined ? undefined : exactOrigin(parsed.dispatcherOrigin, 'dispatcherOrigin');
  const config = resolve(parsed);
  return { ...config, fetch: undefined, dispatcherOrigin, verifyResponses: responsePolicy(parsed.verifyResponses, config.maxBodyBytes) };
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Gives a signer (function or object) a secret-free face: util.inspect,
 * JSON.stringify and String() show the settings and `secret: '<redacted>'`.
 */
export function redact<T extends object>(target: T, name: string, config: SigningConfig): T {
  const face = {
    keyId: config.keyId,
    secret: '<redacted>',
    scheme: config.rfc9421 ? 'rfc9421' : 'v1',
    algorithm: config.algorithm,
    signedHeaders: ['host', 'content-type', ...config.signedHeaders],
    maxBodyBytes: config.maxBodyBytes,
    allowInsecureHttp: config.allowInsecureHttp,
    redirect: name === 'SigningInterceptor' ? { crossOrigin: config.crossOrigin } : { crossOrigin: config.crossOrigin, maxHops: config.maxHops },
    origins: config.origins.list,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    ...(config.verifyResponses ? { verifyResponses: config.verifyResponses } : {}),
    ...(config.acceptSignature ? { acceptSignature: config.acceptSignature } : {}),
    ...(config.dispatcherOrigin === undefined ? {} : { dispatcherOrigin: config.dispatcherOrigin }),
  };
  const text = `${name} ${JSON.stringify(face)}`;
  Object.defineProperties(target, {
    [INSPECT]: { value: () => text },
    toJSON: { value: () => ({ [name]: face }) },
    toString: { value: () => text },
  });
  return target;
}
