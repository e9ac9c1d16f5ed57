import { canonicalize } from './canonicalize.js';
import type { Algorithm } from './crypto.js';
import { SigilError } from './errors.js';
import { backend } from './crypto.js';
import { checkHeaderList, markValid, serializeParams, type SignatureParams } from './header.js';
import { SigilKey } from './key.js';
import { asciiLower, HEADER_NAME } from './lib/syntax.js';
import type { SigilRequest } from './request.js';

/** Options of signRequest(). */
export interface SignOptions {
  /** The key id the verifier looks the secret up by. */
  readonly keyId: string;
  /** Unix seconds. Core has no clock: the caller passes its own. */
  readonly timestamp: number;
  /** Default `hmac-sha256`. */
  readonly algorithm?: Algorithm;
  /** Extra header names to sign, any case; `host` is always signed. */
  readonly headers?: readonly string[];
  /** Default: 16 fresh random bytes, base64url. Pass one only in tests and vectors. */
  readonly nonce?: string;
}

/** What signRequest() produces. */
export interface SignResult {
  /** The Sigil-Signature field value to send. */
  readonly header: string;
  readonly params: SignatureParams;
  /** The canonical string that was MACed, for debugging and vectors. */
  readonly canonical: string;
}

/** A fresh nonce: 128 random bits, base64url (22 characters). */
export function generateNonce(): string {
  return backend.nonce();
}

const NO_NAMES: readonly string[] = Object.freeze([]);
// Signers pass the same options.headers array on every request: remember its
// list, and re-derive only when the array's items changed since.
const LISTS = new WeakMap<readonly string[], { readonly input: readonly string[]; readonly list: string[] }>();

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lowercases, adds `host`, sorts and de-duplicates a list of header names. */
export function signedHeaderList(extra: readonly string[] = NO_NAMES): string[] {
  const hit = LISTS.get(extra);
  if (hit && sameItems(hit.input, extra)) return hit.list;
  const names = ['host'];
  for (let i = 0; i < extra.length; i++) {
    const name = extra[i];
    const lower = typeof name === 'string' ? asciiLower(name) : '';
    if (!HEADER_NAME.test(lower)) throw new SigilError('invalid_option', { detail: 'headers must hold HTTP field names' });
    if (!names.includes(lower)) names.push(lower);
  }
  names.sort();
  // A list canonicalize() would refuse stays unmarked, so it still refuses it.
  if (checkHeaderList(names) === undefined) markValid(names);
  LISTS.set(extra, { input: extra.slice(), list: names });
  return names;
}

/**
 * Signs a request: builds the canonical string, MACs it and returns the
 * Sigil-Signature header value. Throws a SigilError when the request cannot
 * be signed as it is (a signed header absent or with CR/LF, a bad target...).
 *
 * @example
 * const { header } = signRequest(
 *   { method: 'GET', target: '/v1/me', headers: [['host', 'api.example.com']] },
 *   key,
 *   { keyId: 'client-1', timestamp: Math.floor(Date.now() / 1000) },
 * );
 */
export function signRequest(request: SigilRequest, key: SigilKey, options: SignOptions): SignResult {
  if (!(key instanceof SigilKey)) throw new SigilError('invalid_key', { detail: 'key must come from importKey() or generateKey()' });
  const params = {
    version: 1 as const,
    algorithm: options.algorithm ?? 'hmac-sha256',
    keyId: options.keyId,
    timestamp: options.timestamp,
    nonce: options.nonce ?? generateNonce(),
    headers: signedHeaderList(options.headers),
  };
  const canonical = canonicalize(request, params);
  const full: SignatureParams = {
    version: 1,
    algorithm: params.algorithm,
    keyId: params.keyId,
    timestamp: params.timestamp,
    nonce: params.nonce,
    headers: params.headers,
    mac: key.macBase64url(params.algorithm, canonical),
  };
  return { header: serializeParams(full), params: full, canonical };
}
