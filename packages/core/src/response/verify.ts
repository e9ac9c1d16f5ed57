import { SigilError, type SigilErrorCode } from '../errors.js';
import { asciiLower } from '../lib/syntax.js';
import { headerCount, headerValue } from '../request.js';
import { keyList, matchMac, type KeyLookup } from '../verify.js';
import { canonicalizeResponse, checkBoundRequest, RESPONSE_SIGNATURE_HEADER, type BoundRequest, type SigilResponse } from './canonicalize.js';
import { parseResponseSignatureHeader, type ResponseSignatureParams } from './header.js';

/** Options of verifyResponse(). */
export interface VerifyResponseOptions {
  /** The request the response answers, as the client signed it (`signRequest().params`): never read from the response. */
  readonly request: BoundRequest;
  /** The verifier's clock, Unix seconds. Absent: no window check (core has no clock). */
  readonly now?: number;
  /** Accepted distance between `ts` and `now`, both ways. Default 300. */
  readonly toleranceSeconds?: number;
  /** Response header names (any case) that must be signed besides `content-type` (e.g. `location`). */
  readonly requiredHeaders?: readonly string[];
}

/** Success: the MAC matched one of the keys. */
export interface VerifyResponseSuccess {
  readonly ok: true;
  readonly keyId: string;
  readonly params: ResponseSignatureParams;
  readonly keyIndex: number;
  readonly canonical: string;
}

/** Failure: a stable code and the error carrying it (never a received value). */
export interface VerifyResponseFailure {
  readonly ok: false;
  readonly code: SigilErrorCode;
  readonly error: SigilError;
  readonly params?: ResponseSignatureParams;
}

export type VerifyResponseResult = VerifyResponseSuccess | VerifyResponseFailure;

function fail(error: SigilError, params?: ResponseSignatureParams): VerifyResponseFailure {
  return { ok: false, code: error.code, error, ...(params ? { params } : {}) };
}

/** Steps 1-2 of SPEC.md 11.6: exactly one field line, parsed. */
function parseHead(response: SigilResponse): ResponseSignatureParams {
  const count = headerCount(response.headers, RESPONSE_SIGNATURE_HEADER);
  if (count === 0) throw new SigilError('response_signature_missing');
  let value: string | undefined;
  try {
    value = headerValue(response.headers, RESPONSE_SIGNATURE_HEADER);
  } catch {
    throw new SigilError('response_signature_malformed', { detail: 'the value holds a forbidden character' });
  }
  // A Headers object joins several lines with ", ", which the grammar refuses.
  if (count > 1 || value === undefined) throw new SigilError('response_signature_malformed', { detail: 'several field lines' });
  return parseResponseSignatureHeader(value);
}

/** Steps 3-4: the window (with a clock) and coverage. */
function checkPolicy(response: SigilResponse, params: ResponseSignatureParams, options: VerifyResponseOptions): void {
  if (options.now !== undefined) {
    const tolerance = options.toleranceSeconds ?? 300;
    if (!Number.isSafeInteger(options.now) || !Number.isSafeInteger(tolerance) || tolerance < 0) {
      throw new SigilError('invalid_option', { detail: 'now and toleranceSeconds must be integers' });
    }
    if (Math.abs(options.now - params.timestamp) > tolerance) throw new SigilError('timestamp_out_of_window');
  }
  const required = headerCount(response.headers, 'content-type') > 0 ? ['content-type'] : [];
  for (const name of options.requiredHeaders ?? []) required.push(asciiLower(name));
  for (const name of required) if (!params.headers.includes(name)) throw new SigilError('header_not_signed', { detail: name });
}

/**
 * Verifies a v1 response signature against the request it answers (SPEC.md
 * section 11.6): exactly one Sigil-Response-Signature, its grammar, the
 * window when `now` is given, coverage (`content-type` whenever present,
 * and `requiredHeaders`), the key, the canonical string, the MAC in
 * constant time. Stores nothing. Never throws for a bad response; returns
 * `{ ok: false, code }`. Throws `invalid_option` for a bad `request`.
 *
 * @example
 * const signed = signRequest(req, key, { keyId: 'client-1', timestamp });
 * // ... send, receive `res` ...
 * const result = verifyResponse(res, key, { request: signed.params, now: Math.floor(Date.now() / 1000) });
 * if (!result.ok) throw result.error; // e.g. 'response_signature_invalid'
 */
export function verifyResponse(response: SigilResponse, keys: KeyLookup, options: VerifyResponseOptions): VerifyResponseResult {
  if (typeof options !== 'object' || options === null) throw new SigilError('invalid_option', { detail: 'options' });
  checkBoundRequest(options.request);
  const request = { nonce: options.request.nonce, mac: options.request.mac };
  let params: ResponseSignatureParams | undefined;
  try {
    params = parseHead(response);
    checkPolicy(response, params, options);
    const candidates = keyList(keys, params.keyId);
    if (candidates.length === 0) return fail(new SigilError('key_unknown'), params);
    const canonical = canonicalizeResponse(response, { ...params, request });
    const index = matchMac(params, canonical, candidates);
    if (index < 0) return fail(new SigilError('response_signature_invalid'), params);
    return { ok: true, keyId: params.keyId, params, keyIndex: index, canonical };
  } catch (error) {
    if (error instanceof SigilError) return fail(error, params);
    throw error;
  }
}
