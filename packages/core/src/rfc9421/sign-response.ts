import { SigilError } from '../errors.js';
import type { SigilResponse } from '../response/canonicalize.js';
import type { ComponentInput } from './components.js';
import { checkBoundKey, type Rfc9421Key } from './keys.js';
import type { Rfc9421Request } from './request.js';
import { defaultResponseComponents, responseResolver } from './response.js';
import { signMessage, type SignRfc9421Options, type SignRfc9421Result } from './sign.js';

/** Options of signRfc9421Response(). */
export interface SignRfc9421ResponseOptions extends Omit<SignRfc9421Options, 'components'> {
  /** Covered components, in order; `req` ones are read from the request. Default: defaultResponseComponents(). */
  readonly components?: readonly ComponentInput[];
  /** The label of the request's signature, for the default `signature`/`signature-input` components. Default `sig1`. */
  readonly requestLabel?: string;
}

/**
 * Signs a response with RFC 9421 and HMAC, bound to the request it answers
 * (RFC 9421 section 2.4; SPEC.md section 11.8): `@status`, the response's
 * Content-Digest (added when the response has content) and Content-Type,
 * and the request's components and signature with `req`. Returns the
 * Signature-Input and Signature members (and the Content-Digest) to add.
 *
 * @example
 * const { signatureInput, signature, contentDigest } = signRfc9421Response(
 *   { status: 200, headers: [['content-type', 'application/json']], body },
 *   receivedRequest, rfc9421Key(key),
 *   { keyid: 'client-1', created: Math.floor(Date.now() / 1000) },
 * );
 */
export function signRfc9421Response(
  response: SigilResponse,
  request: Rfc9421Request | undefined,
  key: Rfc9421Key,
  options: SignRfc9421ResponseOptions,
): SignRfc9421Result {
  checkBoundKey(key, 'key');
  if (typeof options !== 'object' || options === null) throw new SigilError('invalid_option', { detail: 'options' });
  const components = options.components ?? defaultResponseComponents(response, options.requestLabel);
  return signMessage(response, (signed) => responseResolver(signed, request, options), components, key, options);
}
