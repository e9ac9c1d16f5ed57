import type { Algorithm, HeaderList, HeadersLike, SigilErrorCode, SigilResponse } from '@sigil/core';
import type { ResponseSignatureFields, SignVerifiedResponseOptions } from './lib/response-binding.js';
import type { WebhookReplay, WebhookSchemeName, WebhookVerified } from '@sigil/core/webhooks';

/**
 * The body of a request under verification: the bytes, or a reader the
 * verifier calls only once the header, timestamp and coverage checks have passed.
 * A reader must stop after `maxBytes` and reject with
 * `SigilError('body_too_large')`; any other rejection counts as
 * `body_read_failed`.
 *
 * @example
 * const body: BodySource = (maxBytes) => readCapped(stream, maxBytes);
 */
export type BodySource = Uint8Array | null | ((maxBytes: number) => Promise<Uint8Array>);

/**
 * What `verifier.verify()` reads: core's request shape with a lazy body and
 * the two connection facts the transport check needs. Adapters build it.
 *
 * @example
 * const request: VerifierRequest = {
 *   method: req.method!, target: req.url!, headers: pairs(req.rawHeaders),
 *   body: (max) => readBody(req, max),
 *   secure: Boolean((req.socket as TLSSocket).encrypted),
 *   remoteAddress: req.socket.remoteAddress,
 * };
 */
export interface VerifierRequest {
  /** The method exactly as received. */
  readonly method: string;
  /** Path and query exactly as received (origin-form). */
  readonly target: string;
  /** Header field lines as received (preferred: duplicates stay visible), or a Fetch `Headers`. */
  readonly headers: HeaderList | HeadersLike;
  /** Absent or null means no body. */
  readonly body?: BodySource;
  /** True when the connection to this server is TLS. */
  readonly secure?: boolean;
  /** Peer address of the connection (not a forwarded header). */
  readonly remoteAddress?: string;
}

/**
 * A signature scheme: `v1` (one Sigil-Signature header, SPEC.md sections
 * 2-4) or `rfc9421` (HTTP Message Signatures with HMAC, SPEC.md section 9).
 *
 * @example
 * const schemes: SignatureScheme[] = ['v1', 'rfc9421'];
 */
export type SignatureScheme = 'v1' | 'rfc9421';

/**
 * A verified webhook delivery (SPEC.md section 10): signed with the
 * endpoint's secret, so it has no key id. Holds no signature or secret, so
 * it is safe to log.
 *
 * @example
 * if (result.ok && result.scheme === 'stripe') console.log(`secret #${result.secretIndex}`);
 */
export interface WebhookVerificationSuccess extends Omit<WebhookVerified, 'replay'> {
  /** What replay protection remembered: `id` (the signed id) or `content` (the signed bytes). */
  readonly replaySource: WebhookReplay['source'];
  /** The raw body bytes the MAC covered (empty when there was none). */
  readonly body: Uint8Array;
}

/**
 * Any success: a signed request (VerificationSuccess) or a webhook
 * delivery (WebhookVerificationSuccess). Narrow on `scheme`.
 *
 * @example
 * if (result.ok && (result.scheme === 'v1' || result.scheme === 'rfc9421')) console.log(result.keyId);
 */
export type AnyVerificationSuccess = VerificationSuccess | WebhookVerificationSuccess;

/**
 * A verified request. Holds no nonce, MAC or secret, so it is safe to log.
 *
 * @example
 * if (result.ok) console.log(`signed by ${result.keyId}`);
 */
export interface VerificationSuccess {
  readonly ok: true;
  /** The scheme the request was signed with. */
  readonly scheme: SignatureScheme;
  readonly keyId: string;
  /** Index of the matching key in the list configured (or resolved) for this id: rotation metrics. */
  readonly keyIndex: number;
  readonly algorithm: Algorithm;
  /** The signature's timestamp (v1 `ts`, RFC 9421 `created`), Unix seconds. */
  readonly timestamp: number;
  /** The header names the signature covers (RFC 9421: the covered fields, in signed order). */
  readonly signedHeaders: readonly string[];
  /** RFC 9421 only: the covered component identifiers, serialised, in signed order (`"@method"`, `"content-digest"`). */
  readonly components?: readonly string[];
  /** RFC 9421 only: the label of the verified signature. */
  readonly label?: string;
  /** RFC 9421 only: the signature's `expires`, Unix seconds, when it has one. */
  readonly expires?: number;
  /** The raw body bytes the MAC covered (empty when there was none). */
  readonly body: Uint8Array;
}

/**
 * A rejected request. Answer with `status` and `publicCode` only.
 *
 * @example
 * if (!result.ok) return Response.json({ error: result.publicCode }, { status: result.status });
 */
export interface VerificationFailure {
  readonly ok: false;
  /** The precise code, for your logs and metrics. */
  readonly code: SigilErrorCode;
  /** HTTP status to answer with (401, 403, 413, 400 or 503). */
  readonly status: number;
  /** The code to put in the response: `key_unknown` reads as `signature_invalid`. */
  readonly publicCode: SigilErrorCode;
  /** Set on `timestamp_out_of_window`: the server clock, Unix seconds, for `Sigil-Server-Time`. */
  readonly serverTime?: number;
  /** Debug mode only: the canonical string (RFC 9421: the signature base) the server computed. */
  readonly canonical?: string;
  /** Debug mode only, on `insecure_transport`: why the transport was refused and what to change (events carry it always). */
  readonly hint?: string;
}

/**
 * The outcome of `verifier.verify()`.
 *
 * `Success` is VerificationSuccess for a verifier of signed requests,
 * WebhookVerificationSuccess for a webhook verifier, and their union for a
 * verifier that accepts both.
 *
 * @example
 * const result: VerificationResult = await verifier.verify(request);
 */
export type VerificationResult<Success extends AnyVerificationSuccess = VerificationSuccess> = Success | VerificationFailure;

/**
 * A structured, secret-free record of one verification, for metrics and
 * audit logs. Never carries the nonce, MAC, secret, body or query string.
 *
 * @example
 * createVerifier({ ...options, onEvent: (e) => metrics.count(`sigil.${e.type}`, { code: e.code }) });
 */
export interface VerifierEvent {
  readonly type: 'accepted' | 'rejected';
  /** Set when rejected. The precise code (`key_unknown` included). */
  readonly code?: SigilErrorCode;
  /** Set on `insecure_transport`: why the transport was refused and what to change (plain HTTP without a known loopback peer, or a proxy that does not say https). */
  readonly hint?: string;
  /** Set once the header parsed (a syntactically valid key id). */
  readonly keyId?: string;
  /** Webhook deliveries only: the scheme whose signature header the request carries (they have no key id). */
  readonly scheme?: WebhookSchemeName;
  /** Set when the method is a valid HTTP token. */
  readonly method?: string;
  /** The path without its query, set when the target is valid. */
  readonly path?: string;
  /** Time spent in verify(), milliseconds. */
  readonly latencyMs: number;
}

/**
 * A configured verifier. Create one per server with `createVerifier()` (or
 * `createWebhookVerifier()`). `Success` is what it accepts (see
 * VerificationResult).
 *
 * @example
 * const result = await verifier.verify(request);
 */
export interface Verifier<Success extends AnyVerificationSuccess = VerificationSuccess> {
  /**
   * Runs every check in SPEC.md order. Resolves for every request, valid or
   * not: a key resolver that throws or rejects gives `key_lookup_unavailable`
   * (503). Rejects only when the resolver answers with something that is not
   * a key (`invalid_option`, a configuration bug).
   */
  verify(request: VerifierRequest, options?: VerifyOptions): Promise<VerificationResult<Success>>;
  /**
   * Signs the response to a request this verifier verified with
   * `{ bindResponse: true }` (SPEC.md section 11.5), bound to that request:
   * a v1 request gets a `Sigil-Response-Signature`, an RFC 9421 request an
   * RFC 9421 response signature (`Signature-Input`, `Signature`, and
   * `Content-Digest` when the body is not empty). Signs `content-type`,
   * `location`, `sigil-server-time` and `accept-signature` whenever present,
   * plus `options.headers` when present, and the exact `body` bytes.
   * Returns the field lines to add to the response, or undefined when the
   * answer cannot be bound: a failure before the request's MAC passed, or a
   * webhook delivery (never response-signed). Failures after the MAC
   * (`nonce_replayed`, `key_scope_denied`, a 503 store failure, and
   * `timestamp_out_of_window` from a request with a valid MAC) are bound.
   * Throws `invalid_option` for a request verified without `bindResponse`.
   *
   * @example
   * const result = await verifier.verify(request, { bindResponse: true });
   * const body = new TextEncoder().encode(result.ok ? '{"ok":true}' : `{"error":"${result.publicCode}"}`);
   * const headers: [string, string][] = [['content-type', 'application/json']];
   * headers.push(...(verifier.signResponse(result, { status: result.ok ? 200 : result.status, headers, body }) ?? []));
   */
  signResponse(result: VerificationResult<Success>, response: SigilResponse, options?: SignVerifiedResponseOptions): ResponseSignatureFields | undefined;
  /**
   * The `Accept-Signature` field value (RFC 9421 section 5.1; SPEC.md
   * section 9.13) this verifier's adapters add to every 401, when
   * `rfc9421.acceptSignature` is on; undefined otherwise.
   */
  readonly acceptSignature: string | undefined;
}

/**
 * Options of `verifier.verify()`.
 *
 * @example
 * const result = await verifier.verify(request, { bindResponse: true });
 */
export interface VerifyOptions {
  /**
   * Remember what the answer is bound to, so `verifier.signResponse()` can
   * sign it (the adapters' `signResponses` sets it). A stale timestamp then
   * costs the key lookup, body read and MAC (to decide whether its 401 can
   * be signed). Default false.
   */
  readonly bindResponse?: boolean;
}
