import { SigilError } from '../errors.js';
import type { SigilResponse } from '../response/canonicalize.js';
import type { ComponentInput } from './components.js';
import type { Rfc9421KeyLookup } from './keys.js';
import type { Rfc9421Request } from './request.js';
import { defaultResponseComponents, responseResolver } from './response.js';
import { verifyMessage, type Rfc9421VerifyResult, type VerifyRfc9421Options } from './verify.js';

/** Options of verifyRfc9421Response(). */
export interface VerifyRfc9421ResponseOptions extends Omit<VerifyRfc9421Options, 'requiredComponents'> {
  /** Components the signature must cover. Default: defaultResponseComponents(response, requestLabel). */
  readonly requiredComponents?: readonly ComponentInput[];
  /** The label of the request's signature, for the default required components. Default `sig1`. */
  readonly requestLabel?: string;
}

/**
 * Verifies an RFC 9421 response signature with HMAC against the request it
 * answers (RFC 9421 section 2.4): `req` components are read from `request`,
 * the one the client sent and kept, never from the response. Same checks
 * and codes as verifyRfc9421 (a covered Content-Digest is recomputed over
 * the response content); no clock. Never throws for a bad response.
 *
 * @example
 * const result = verifyRfc9421Response(res, sentRequest, rfc9421Key(key), { label: 'sig1' });
 * if (!result.ok) console.log(result.code); // e.g. 'signature_invalid'
 */
export function verifyRfc9421Response(
  response: SigilResponse,
  request: Rfc9421Request,
  keys: Rfc9421KeyLookup,
  options: VerifyRfc9421ResponseOptions = {},
): Rfc9421VerifyResult {
  if (typeof response !== 'object' || response === null) throw new SigilError('invalid_option', { detail: 'response' });
  const required = options.requiredComponents ?? defaultResponseComponents(response, options.requestLabel);
  return verifyMessage(response, () => responseResolver(response, request, options), required, keys, options);
}
