import { isSigilError, SigilError, type SigilErrorCode } from '../errors.js';
import { timingSafeEqual } from '../lib/encoding.js';
import { headerValue, type HeaderList, type HeadersLike } from '../request.js';
import { buildBase, requestResolver, type ComponentResolver, type SignatureBaseOptions } from './base.js';
import type { ComponentInput } from './components.js';
import { checkContentDigest, type DigestAlgorithm } from './digest.js';
import { candidates, checkAlg, MAC_LENGTH, type Rfc9421Algorithm, type Rfc9421KeyLookup } from './keys.js';
import type { SignatureParamsView } from './params.js';
import { parseRfc9421Signature } from './parse-signature.js';
import { checkComponentCoverage, defaultComponents } from './policy.js';
import type { Rfc9421Request } from './request.js';
import type { SignatureSelector } from './select.js';
import type { Parameters } from './sf/types.js';

/** Options of verifyRfc9421(). */
export interface VerifyRfc9421Options extends SignatureSelector, SignatureBaseOptions {
  /**
   * Components the signature must cover. Default: defaultComponents(request)
   * (`@method @authority @path @query`, plus `content-digest` with content and
   * `content-type` when present). `[]` checks the MAC only.
   */
  readonly requiredComponents?: readonly ComponentInput[];
  /** Recompute a covered Content-Digest from the body. Default true. */
  readonly checkContentDigest?: boolean;
}

/** Success: the MAC matched one of the keys. */
export interface Rfc9421VerifySuccess extends SignatureParamsView {
  readonly ok: true;
  readonly label: string;
  /** The algorithm of the matching key. */
  readonly algorithm: Rfc9421Algorithm;
  /** Index of the matching key in the list the lookup gave (rotation metrics). */
  readonly keyIndex: number;
  /** Covered components, serialised, in signed order. */
  readonly components: readonly string[];
  /** Every received signature parameter, in received order (unknown ones too). */
  readonly params: Parameters;
  /** Content-Digest algorithms checked against the body. */
  readonly contentDigest: readonly DigestAlgorithm[];
  readonly base: string;
}

/** Failure: a stable code and the error carrying it. */
export interface Rfc9421VerifyFailure {
  readonly ok: false;
  readonly code: SigilErrorCode;
  readonly error: SigilError;
  readonly label?: string;
  /** The known parameters, once they parsed (for the verifier's policy and logs). */
  readonly params?: SignatureParamsView;
  /** Present once the signature base could be built (debug mode only). */
  readonly base?: string;
}

export type Rfc9421VerifyResult = Rfc9421VerifySuccess | Rfc9421VerifyFailure;

/**
 * Verifies one RFC 9421 signature of a request with HMAC: structure,
 * required components, key and algorithm, MAC (constant time, every
 * candidate key tried), then a covered Content-Digest against the body. It
 * checks no clock and no nonce: it returns `created`, `expires`, `nonce` and
 * `keyid` for the verifier's policy. Never throws for a bad request.
 *
 * @example
 * const result = verifyRfc9421(req, (keyid) => keys.get(keyid), { label: 'sig1' });
 * if (!result.ok) console.log(result.code); // e.g. 'signature_invalid'
 */
export function verifyRfc9421(request: Rfc9421Request, keys: Rfc9421KeyLookup, options: VerifyRfc9421Options = {}): Rfc9421VerifyResult {
  return verifyMessage(request, () => requestResolver(request, options), options.requiredComponents ?? defaultComponents(request), keys, options);
}

/** A message as verifyMessage reads it: its fields and content. */
type Message = { readonly headers: HeaderList | HeadersLike; readonly body?: Uint8Array | null; readonly bodySha256?: string };

/**
 * @internal Verifies one signature of a request or a response (SPEC.md
 * section 9.10, core steps 1-7); `resolverOf` reads the covered components.
 */
export function verifyMessage(
  message: Message,
  resolverOf: () => ComponentResolver,
  required: readonly ComponentInput[],
  keys: Rfc9421KeyLookup,
  options: Omit<VerifyRfc9421Options, 'requiredComponents'>,
): Rfc9421VerifyResult {
  let label: string | undefined;
  let view: SignatureParamsView | undefined;
  let base: string | undefined;
  const fail = (error: SigilError): Rfc9421VerifyFailure => ({
    ok: false,
    code: error.code,
    error,
    ...(label === undefined ? {} : { label }),
    ...(view === undefined ? {} : { params: view }),
    ...(base === undefined ? {} : { base }),
  });
  try {
    const selected = parseRfc9421Signature(message, options);
    label = selected.label;
    view = selected.params;
    // Cheapest first: coverage and keys before any component value is read.
    checkComponentCoverage(selected.components, required);
    checkAlg(view.alg);
    const found = candidates(keys, view.keyid);
    if (found.length === 0) return fail(new SigilError('key_unknown'));
    // The algorithm comes from each key; a present alg only narrows the set.
    const usable = view.alg === undefined ? found : found.filter((k) => k.algorithm === view!.alg);
    if (usable.length === 0) return fail(new SigilError('unsupported_algorithm', { detail: 'alg does not match the key' }));
    const built = buildBase(selected.input, resolverOf(), 'signature_header_malformed');
    base = built.base;
    let index = -1;
    for (let i = 0; i < usable.length; i++) {
      const k = usable[i]!;
      const ok = selected.mac.length === MAC_LENGTH[k.algorithm] && timingSafeEqual(k.key.mac(k.algorithm, base), selected.mac);
      if (ok && index < 0) index = i;
    }
    if (index < 0) return fail(new SigilError('signature_invalid'));
    let digests: DigestAlgorithm[] = [];
    if (options.checkContentDigest !== false && built.components.some((id) => id === '"content-digest"' || (id.startsWith('"content-digest";') && !id.includes(';req')))) {
      const value = headerValue(message.headers, 'content-digest') ?? '';
      digests = checkContentDigest(value, message.body, message.bodySha256 === undefined ? {} : { bodySha256: message.bodySha256 });
    }
    const matched = usable[index]!;
    return {
      ...view,
      ok: true,
      label,
      algorithm: matched.algorithm,
      keyIndex: found.indexOf(matched),
      components: built.components,
      params: selected.input.params,
      contentDigest: digests,
      base,
    };
  } catch (error) {
    if (isSigilError(error)) return fail(error);
    throw error;
  }
}
