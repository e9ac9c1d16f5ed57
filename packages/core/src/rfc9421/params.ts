// Signature parameters (RFC 9421 section 2.3). Received parameters keep
// their order and any name Sigil does not know; the known ones are typed.
import { SigilError } from '../errors.js';
import type { BareItem, Parameters } from './sf/types.js';

/** The parameters RFC 9421 defines, as a signer sets them. */
export interface SignatureParamsInput {
  /** Unix seconds. */
  readonly created?: number;
  /** Unix seconds. */
  readonly expires?: number;
  readonly keyid?: string;
  /** An algorithm name from the RFC 9421 registry; must agree with the key. */
  readonly alg?: string;
  readonly nonce?: string;
  readonly tag?: string;
}

/** The known parameters of a received signature, typed. */
export type SignatureParamsView = SignatureParamsInput;

const INTEGER_PARAMS = ['created', 'expires'] as const;
const STRING_PARAMS = ['keyid', 'alg', 'nonce', 'tag'] as const;
/** The order Sigil writes parameters in (that of RFC 9421 appendix B.2.5, extended). */
const ORDER = ['created', 'expires', 'keyid', 'alg', 'nonce', 'tag'] as const;

function isTime(value: BareItem | undefined): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * @internal Reads the known parameters, checking their types. Throws
 * `signature_header_malformed` (or `invalid_option` when `code` says so).
 */
export function readParams(params: Parameters, code: 'signature_header_malformed' | 'invalid_option' = 'signature_header_malformed'): SignatureParamsView {
  const out: Record<string, string | number> = {};
  for (const name of INTEGER_PARAMS) {
    const value = params.get(name);
    if (value === undefined) continue;
    if (!isTime(value)) throw new SigilError(code, { detail: `${name} must be a non-negative integer` });
    out[name] = value;
  }
  for (const name of STRING_PARAMS) {
    const value = params.get(name);
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new SigilError(code, { detail: `${name} must be a string` });
    out[name] = value;
  }
  return out as SignatureParamsView;
}

/**
 * @internal Signature parameters as an ordered map: a Map is taken as it
 * is (its order and unknown names kept), an object in Sigil's order.
 */
export function paramsMap(input: SignatureParamsInput | Parameters): Parameters {
  if (input instanceof Map) {
    readParams(input, 'invalid_option');
    return input;
  }
  if (typeof input !== 'object' || input === null) throw new SigilError('invalid_option', { detail: 'params must be an object or a Map' });
  const map = new Map<string, BareItem>();
  for (const name of ORDER) {
    const value = (input as Record<string, unknown>)[name];
    if (value !== undefined) map.set(name, value as BareItem);
  }
  readParams(map, 'invalid_option');
  return map;
}
