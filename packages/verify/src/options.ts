import type { KeyEncoding, SigilKey } from '@sigil/core';
import type { ComponentInput, StructuredFieldType } from '@sigil/core/rfc9421';
import type { WebhookScheme } from '@sigil/core/webhooks';
import type { NonceStore } from './nonce-store.js';
import type { SignatureScheme, VerifierEvent } from './types.js';

/**
 * Where a key may be used. Checked after the MAC is valid; a request outside
 * it is refused with `key_scope_denied` (403).
 *
 * @example
 * const scope: KeyScope = { methods: ['POST'], pathPrefixes: ['/webhooks'] };
 */
export interface KeyScope {
  /** Allowed methods, compared exactly (methods are case-sensitive). */
  readonly methods?: readonly string[];
  /**
   * Allowed path prefixes, matched on whole segments: `/v1/orders` allows
   * `/v1/orders` and `/v1/orders/7`, not `/v1/orders-admin`. A path with a
   * `.` or `..` segment (plain or percent-encoded) never matches.
   */
  readonly pathPrefixes?: readonly string[];
}

/**
 * A secret with its validity period and scope.
 *
 * @example
 * const entry: KeyEntry = {
 *   key: process.env.NEW_SECRET!, encoding: 'base64url',
 *   notBefore: new Date('2025-01-01'), scope: { methods: ['POST'] },
 * };
 */
export interface KeyEntry {
  /** The secret: a SigilKey, bytes, or a string together with `encoding`. */
  readonly key: SigilKey | Uint8Array | ArrayBuffer | string;
  /** Required when `key` is a string: Sigil never guesses an encoding. */
  readonly encoding?: KeyEncoding;
  /** First moment the key is accepted: a Date or Unix seconds (inclusive). */
  readonly notBefore?: Date | number;
  /** Last moment the key is accepted: a Date or Unix seconds (inclusive). */
  readonly notAfter?: Date | number;
  readonly scope?: KeyScope;
}

/**
 * One key as configured: a SigilKey, raw bytes, or a KeyEntry.
 *
 * @example
 * const input: KeyInput = importKey(secret, { encoding: 'base64url' });
 */
export type KeyInput = SigilKey | Uint8Array | ArrayBuffer | KeyEntry;

/**
 * Looks keys up by id at request time (a database, a secret manager). Return
 * several during rotation, nothing for an unknown id. Called on every
 * request, and its answer read whole each time (entries, windows, scopes):
 * removing a secret or setting `notAfter` revokes it from the next request
 * on. Only prepared key material is cached (a SigilKey is used as it is;
 * bytes are imported once per object unless their contents change; a string
 * secret once per text), so returning `SigilKey`s is cheapest.
 *
 * @example
 * const resolver: KeyResolver = async (id) => cache.get(id);
 */
export type KeyResolver = (
  keyId: string,
) => KeyInput | readonly KeyInput[] | null | undefined | Promise<KeyInput | readonly KeyInput[] | null | undefined>;

/**
 * How RFC 9421 signatures are checked (SPEC.md section 9), when `schemes`
 * includes `'rfc9421'`. Keys, clock, window, nonce store, body limit,
 * transport and scope are the verifier's own options, for both schemes.
 *
 * @example
 * const rfc9421: Rfc9421VerifierOptions = { requiredComponents: ['@method', '@target-uri'] };
 */
export interface Rfc9421VerifierOptions {
  /**
   * Components every signature must cover (`header_not_signed`), in place
   * of `@method`, `@authority`, `@path`, `@query`. Whatever this list,
   * `content-digest` is also required when the request has content (unless
   * `allowUnsignedContent`) and `content-type` when it has one (unless
   * `allowUnsignedContentType`); `requiredHeaders` are added as field
   * components.
   */
  readonly requiredComponents?: readonly ComponentInput[];
  /**
   * Accept a request with content whose signature does not cover
   * `content-digest`: the body is then NOT bound by the signature. Only for
   * a peer that cannot send Content-Digest. Default false.
   */
  readonly allowUnsignedContent?: boolean;
  /** Verify the signature with this label. Default: the only one the request carries. */
  readonly label?: string;
  /** Verify the signature whose `tag` parameter is this. */
  readonly tag?: string;
  /** RFC 8941 types of covered structured fields (`sf`, `key`) beyond the ones core knows. */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>>;
  /**
   * Answer every 401 with an `Accept-Signature` field (RFC 9421 section
   * 5.1; SPEC.md section 9.13) naming the components this verifier
   * requires, so a client can retry signed as asked. Default false.
   */
  readonly acceptSignature?: boolean;
}

/**
 * Options of `createVerifier()`. Only `keys` and `nonceStore` are required;
 * every default is the secure one. (With webhook schemes as well, see
 * MixedVerifierOptions.)
 *
 * @example
 * const options: VerifierOptions = { keys: { 'client-1': key }, nonceStore: new MemoryNonceStore() };
 */
export interface VerifierOptions {
  /** A static map from key id to one or several keys, or a resolver. */
  readonly keys: Readonly<Record<string, KeyInput | readonly KeyInput[]>> | KeyResolver;
  /** Replay protection. Required unless `replay: false`. */
  readonly nonceStore?: NonceStore;
  /** Set to false to turn replay protection off (then give no `nonceStore`). Default true. */
  readonly replay?: boolean;
  /** Accepted distance between the signature timestamp and the server clock, both ways. Default 300. */
  readonly toleranceSeconds?: number;
  /** Headers every signature must cover besides `host`, e.g. `['x-tenant']` (both schemes). */
  readonly requiredHeaders?: readonly string[];
  /**
   * Accept a request whose Content-Type is not signed. By default a request
   * that carries a Content-Type and declares content (a Content-Length
   * other than 0, or a Transfer-Encoding) must cover `content-type`
   * (`header_not_signed`), under both schemes: unsigned, a proxy could
   * change how the signed bytes are parsed (JSON or a form). Default false.
   */
  readonly allowUnsignedContentType?: boolean;
  /**
   * The signature schemes accepted. Default `['v1']`. With both, a request
   * carrying Signature-Input is verified as RFC 9421, one carrying
   * Sigil-Signature as v1, and one carrying both is refused
   * (`signature_header_malformed`). Webhook schemes may be listed too (see
   * MixedVerifierOptions).
   */
  readonly schemes?: readonly SignatureScheme[];
  /** RFC 9421 settings; only with `schemes` including `'rfc9421'`. */
  readonly rfc9421?: Rfc9421VerifierOptions;
  /** Largest body read, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Refuse plain HTTP (`insecure_transport`, 403). Default true; loopback peers are exempt. */
  readonly requireHttps?: boolean;
  /** Accept plain HTTP from anywhere. Default false. */
  readonly allowInsecureHttp?: boolean;
  /**
   * Honour `X-Forwarded-Proto` from a TLS-terminating proxy. Then every
   * value it lists must be `https`, and the loopback exemption no longer
   * applies (the proxy itself is the loopback peer). Default false.
   */
  readonly trustProxy?: boolean;
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Put the server's canonical string into failures, for client authors to
   * diff. Refused when `NODE_ENV` is `production`. Default false.
   */
  readonly debug?: boolean;
  /** Called once per verification with a secret-free event. Errors it throws are ignored. */
  readonly onEvent?: (event: VerifierEvent) => void;
}

/**
 * Options of `createVerifier()` when `schemes` lists webhook schemes from
 * `@sigil/core/webhooks` (`standardWebhooksScheme({ secrets })`,
 * `stripeScheme`, `githubScheme`, `slackScheme`, `shopifyScheme`) besides,
 * or instead of, `'v1'` and `'rfc9421'`; each at most once. A request is
 * verified by the one accepted scheme whose signature header it carries; one
 * carrying the headers of two is refused (`signature_header_malformed`).
 * Webhook schemes share the nonce store, body limit, transport rule, clock
 * and events; their secrets, tolerance and replay retention are their own,
 * and `keys`, `toleranceSeconds` and `requiredHeaders` do not apply to them.
 * `keys` is required when `schemes` includes `'v1'` or `'rfc9421'`, and
 * refused otherwise.
 *
 * @example
 * const options: MixedVerifierOptions = { keys, nonceStore, schemes: ['v1', stripeScheme({ secrets: [stripeSecret] })] };
 */
export type MixedVerifierOptions = Omit<VerifierOptions, 'keys' | 'schemes'> & {
  readonly keys?: VerifierOptions['keys'];
  readonly schemes: readonly (SignatureScheme | WebhookScheme)[];
};

/**
 * Options of `createWebhookVerifier()`: the webhook schemes, and the
 * verifier options that apply to them.
 *
 * @example
 * const options: WebhookVerifierOptions = { schemes: [stripeScheme({ secrets })], nonceStore: new MemoryNonceStore() };
 */
export type WebhookVerifierOptions = Pick<
  VerifierOptions,
  'nonceStore' | 'replay' | 'maxBodyBytes' | 'requireHttps' | 'allowInsecureHttp' | 'trustProxy' | 'clock' | 'onEvent'
> & {
  /** The webhook schemes accepted (at least one, each at most once), from `@sigil/core/webhooks`. */
  readonly schemes: readonly WebhookScheme[];
};
