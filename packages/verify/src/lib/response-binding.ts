// Response signing (SPEC.md section 11.5): what a verified request leaves
// behind so that the answer can be signed bound to it. The binding (the key,
// the request's nonce and MAC, or its RFC 9421 components and signature) is
// kept in a WeakMap keyed by the result object, never on the result itself:
// a VerificationSuccess stays free of nonce, MAC and secret, safe to log.
import {
  headerCount,
  signResponse as signV1Response,
  SERVER_TIME_HEADER,
  SigilError,
  type Algorithm,
  type SigilKey,
  type SigilResponse,
} from '@sigil/core';
import { defaultResponseComponents, rfc9421Key, signRfc9421Response, type ComponentInput, type Rfc9421Request } from '@sigil/core/rfc9421';
import type { AnyVerificationSuccess, VerificationResult } from '../types.js';
import type { ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import type { SchemeSignature } from './scheme.js';

/** What a scheme leaves to bind a response to: v1 the request's nonce and MAC, RFC 9421 the request and its label. */
export type RequestBinding =
  | { readonly scheme: 'v1'; readonly algorithm: Algorithm; readonly nonce: string; readonly mac: string }
  | { readonly scheme: 'rfc9421'; readonly request: Rfc9421Request; readonly label: string };

/** A result's binding: the request's, the key it was verified under, the verifier's clock. */
interface Bound {
  readonly binding: RequestBinding;
  readonly key: SigilKey;
  readonly keyId: string;
  readonly clock: () => number;
}

const BOUND = new WeakMap<object, Bound>();

/**
 * Response headers signed whenever present, besides `content-type` (always
 * signed when present): a client acts on each of them (a redirect, a clock
 * correction, an RFC 9421 retry), so it may trust them only signed.
 */
export const ALWAYS_SIGNED: readonly string[] = Object.freeze(['location', SERVER_TIME_HEADER, 'accept-signature']);

/** The binding of a request whose MAC passed under `matched`; undefined for a scheme that signs no response (webhooks). */
export function boundOf(policy: Policy, signature: SchemeSignature, matched: ActiveKey | undefined): Bound | undefined {
  const keyId = signature.claim.keyId;
  if (!matched || keyId === undefined || !signature.binding) return undefined;
  return { binding: signature.binding(), key: matched.key, keyId, clock: policy.clock };
}

/** Records `bound` for `result` (when there is one) and returns the result. */
export function tie<R extends object>(result: R, bound: Bound | undefined): R {
  if (bound) BOUND.set(result, bound);
  return result;
}

/** Options of `verifier.signResponse()`. */
export interface SignVerifiedResponseOptions {
  /** Response header names to sign when present, besides content-type, location, sigil-server-time and accept-signature. */
  readonly headers?: readonly string[];
}

/** The header field lines to add to a response: `[name, value]`, lowercase names. */
export type ResponseSignatureFields = ReadonlyArray<readonly [name: string, value: string]>;

function present(response: SigilResponse, extra: readonly string[] | undefined): string[] {
  const names: string[] = [];
  for (const name of [...ALWAYS_SIGNED, ...(extra ?? [])]) {
    const lower = name.toLowerCase();
    if (!names.includes(lower) && headerCount(response.headers, lower) > 0) names.push(lower);
  }
  return names;
}

function signRfc9421(bound: Bound, binding: Extract<RequestBinding, { scheme: 'rfc9421' }>, response: SigilResponse, names: string[], created: number): ResponseSignatureFields {
  const components: ComponentInput[] = defaultResponseComponents(response, binding.label);
  for (const name of names) if (!components.includes(name)) components.push(name);
  const signed = signRfc9421Response(response, binding.request, rfc9421Key(bound.key, 'hmac-sha256'), {
    keyid: bound.keyId,
    created,
    components,
    requestLabel: binding.label,
    label: binding.label,
  });
  const fields: Array<readonly [string, string]> = [];
  if (signed.contentDigest !== undefined) fields.push(['content-digest', signed.contentDigest]);
  fields.push(['signature-input', signed.signatureInput], ['signature', signed.signature]);
  return fields;
}

/**
 * Signs `response` for the request `result` answers (SPEC.md section 11.5):
 * v1 requests get a Sigil-Response-Signature, RFC 9421 requests an RFC 9421
 * response signature (section 11.8). Returns the field lines to add, or
 * undefined when `result` is not bound (a failure before the MAC passed, a
 * webhook delivery). Throws `invalid_option` for a verified request that
 * was verified without `{ bindResponse: true }`.
 */
export function signBound(result: VerificationResult<AnyVerificationSuccess>, response: SigilResponse, options: SignVerifiedResponseOptions = {}): ResponseSignatureFields | undefined {
  if (typeof result !== 'object' || result === null) throw new TypeError('signResponse: expected a verification result');
  if (typeof response !== 'object' || response === null) throw new TypeError('signResponse: expected { status, headers, body }');
  const bound = BOUND.get(result);
  if (!bound) {
    if (result.ok && 'keyId' in result) {
      throw new SigilError('invalid_option', { detail: 'signResponse: the request was verified without { bindResponse: true }' });
    }
    return undefined;
  }
  const names = present(response, options.headers);
  const now = Math.floor(bound.clock() / 1000);
  const binding = bound.binding;
  if (binding.scheme === 'rfc9421') return signRfc9421(bound, binding, response, names, now);
  const signed = signV1Response(response, bound.key, {
    request: { nonce: binding.nonce, mac: binding.mac },
    keyId: bound.keyId,
    timestamp: now,
    algorithm: binding.algorithm,
    headers: names,
  });
  return [['sigil-response-signature', signed.header]];
}
