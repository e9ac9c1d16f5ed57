import { canonicalize } from './canonicalize.js';
import { contentTypeRequired } from './content.js';
import { SigilError, type SigilErrorCode } from './errors.js';
import { parseSignatureHeader, type SignatureParams } from './header.js';
import { SigilKey } from './key.js';
import { base64urlShapeOf } from './lib/encoding.js';
import { asciiLower } from './lib/syntax.js';
import type { HeaderList, HeadersLike, SigilRequest } from './request.js';

/** Keys to try: one, several (rotation), or a synchronous lookup by key id. */
export type KeyLookup =
  | SigilKey
  | readonly SigilKey[]
  | ((keyId: string) => SigilKey | readonly SigilKey[] | null | undefined);

/** Options of verifySignature(). */
export interface VerifySignatureOptions {
  /**
   * Header names (any case) that must be covered by the signature besides
   * `host`, which always must be.
   */
  readonly requiredHeaders?: readonly string[];
  /**
   * Accept a request that declares content and carries a Content-Type the
   * signature does not cover (SPEC.md section 4, step 6). Default false:
   * an unsigned Content-Type lets a proxy change how the signed bytes are
   * parsed.
   */
  readonly allowUnsignedContentType?: boolean;
}

/** Success: the MAC matched one of the keys. */
export interface VerifySuccess {
  readonly ok: true;
  readonly keyId: string;
  readonly params: SignatureParams;
  /** Index of the matching key in the list the lookup gave (rotation metrics). */
  readonly keyIndex: number;
  readonly canonical: string;
}

/** Failure: a stable code and the error carrying it. */
export interface VerifyFailure {
  readonly ok: false;
  readonly code: SigilErrorCode;
  readonly error: SigilError;
  /** Present once the header parsed. */
  readonly params?: SignatureParams;
  /** Present once the canonical string could be built (for debug mode only). */
  readonly canonical?: string;
}

export type VerifySignatureResult = VerifySuccess | VerifyFailure;

const MAC_BYTES = { 'hmac-sha256': 32, 'hmac-sha512': 64 } as const;

function fail(error: SigilError, params?: SignatureParams, canonical?: string): VerifyFailure {
  return { ok: false, code: error.code, error, ...(params ? { params } : {}), ...(canonical ? { canonical } : {}) };
}

/** @internal The keys a lookup gives for a key id, as a list. */
export function keyList(keys: KeyLookup, keyId: string): readonly SigilKey[] {
  const found = typeof keys === 'function' ? keys(keyId) : keys;
  if (!found) return [];
  return found instanceof SigilKey ? [found] : (found as readonly SigilKey[]);
}

/**
 * Checks that the header covers `host` and every required header and, when
 * the request's `headers` are given, `content-type` whenever the request
 * carries one and declares content (SPEC.md section 4, step 6). Throws
 * `header_not_signed`.
 *
 * @example
 * checkCoverage(params, ['x-tenant'], request.headers);
 */
export function checkCoverage(params: SignatureParams, requiredHeaders: readonly string[] = [], headers?: HeaderList | HeadersLike): void {
  if (!params.headers.includes('host')) throw new SigilError('header_not_signed', { detail: 'host' });
  for (const name of requiredHeaders) {
    const lower = asciiLower(name);
    if (!params.headers.includes(lower)) throw new SigilError('header_not_signed', { detail: lower });
  }
  if (headers !== undefined) checkContentTypeCoverage(params, headers);
}

/**
 * The content part of step 6 alone: `content-type` is in `h` when the
 * request carries a Content-Type field and declares content. Throws
 * `header_not_signed`.
 *
 * @example
 * checkContentTypeCoverage(params, [['content-type', 'text/plain'], ['content-length', '3']]);
 */
export function checkContentTypeCoverage(params: SignatureParams, headers: HeaderList | HeadersLike): void {
  if (params.headers.includes('content-type')) return;
  const name = contentTypeRequired(headers);
  if (name !== undefined) throw new SigilError('header_not_signed', { detail: name });
}

/** Constant-time equality of two strings. Length is not secret. */
function textEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Compares a received MAC with the one computed under each key, in constant
 * time. Returns the index of the matching key or -1.
 *
 * Compared as base64url text, not bytes: a received MAC in the canonical
 * encoding of the right length (what the strict decoder accepts) equals the
 * computed MAC's encoding exactly when its bytes equal the computed bytes,
 * and the text form skips a decode and two byte copies per request.
 */
export function matchMac(params: Pick<SignatureParams, 'algorithm' | 'mac'>, canonical: string, keys: readonly SigilKey[]): number {
  const received = params.mac;
  // A wrong length or a non-canonical last character is refused from its
  // public shape, before any key is used, as a strict decode would refuse it;
  // any other character outside the alphabet matches no computed encoding.
  if (typeof received !== 'string' || !base64urlShapeOf(received, MAC_BYTES[params.algorithm])) return -1;
  let match = -1;
  // Every key is tried even after a match, so timing says nothing about which.
  for (let i = 0; i < keys.length; i++) {
    if (textEqual(keys[i]!.macBase64url(params.algorithm, canonical), received) && match < 0) match = i;
  }
  return match;
}

/**
 * Verifies the MAC and the header's well-formedness. It checks no clock and
 * no nonce: that policy belongs to `@sigil/verify`. Never throws for a bad
 * request; returns `{ ok: false, code }` instead.
 *
 * @example
 * const result = verifySignature(req, req.headers.get('sigil-signature') ?? '', key);
 * if (!result.ok) console.log(result.code); // e.g. 'signature_invalid'
 */
export function verifySignature(
  request: SigilRequest,
  header: string | SignatureParams,
  keys: KeyLookup,
  options: VerifySignatureOptions = {},
): VerifySignatureResult {
  let params: SignatureParams | undefined;
  let canonical: string | undefined;
  try {
    params = typeof header === 'string' ? parseSignatureHeader(header) : header;
    checkCoverage(params, options.requiredHeaders, options.allowUnsignedContentType ? undefined : request.headers);
    const candidates = keyList(keys, params.keyId);
    if (candidates.length === 0) return fail(new SigilError('key_unknown'), params);
    canonical = canonicalize(request, params);
    const index = matchMac(params, canonical, candidates);
    if (index < 0) return fail(new SigilError('signature_invalid'), params, canonical);
    return { ok: true, keyId: params.keyId, params, keyIndex: index, canonical };
  } catch (error) {
    if (error instanceof SigilError) return fail(error, params, canonical);
    throw error;
  }
}
