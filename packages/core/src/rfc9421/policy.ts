import { SigilError } from '../errors.js';
import { isKeyId, NONCE } from '../lib/syntax.js';
import { headerValue } from '../request.js';
import { componentId, type ComponentInput } from './components.js';
import { checkAlg } from './keys.js';
import type { SignatureParamsView } from './params.js';
import type { Rfc9421Request } from './request.js';

/** @internal True when the request carries content (bytes, or a hash of non-empty bytes). */
export function hasContent(request: { readonly body?: Uint8Array | null; readonly bodySha256?: string }): boolean {
  if (request.body) return request.body.length > 0;
  return request.bodySha256 !== undefined && request.bodySha256 !== 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
}

/** The components Sigil requires of every request: method and target. */
export const BASE_COMPONENTS: readonly string[] = Object.freeze(['@method', '@authority', '@path', '@query']);

/**
 * The components that bind the content: `content-digest` when the request
 * has content (or, before the body is read, `announcesContent`: its head
 * declares some), `content-type` when the request has one. A Sigil verifier
 * requires them whatever its `requiredComponents`, unless opted out by name.
 *
 * @example
 * contentComponents({ method: 'GET', scheme: 'https', target: '/', headers: [['host', 'a.example']] }); // []
 */
export function contentComponents(request: Rfc9421Request, announcesContent = false): string[] {
  const list: string[] = [];
  if (announcesContent || hasContent(request)) list.push('content-digest');
  if (headerValue(request.headers, 'content-type') !== undefined) list.push('content-type');
  return list;
}

/**
 * The components Sigil signs, and its verifier requires, by default:
 * BASE_COMPONENTS (`@method`, `@authority`, `@path`, `@query`), then
 * contentComponents: `content-digest` when the request has content;
 * `content-type` when the request has one.
 *
 * @example
 * defaultComponents({ method: 'GET', scheme: 'https', target: '/', headers: [['host', 'a.example']] });
 * // ['@method', '@authority', '@path', '@query']
 */
export function defaultComponents(request: Rfc9421Request): string[] {
  return [...BASE_COMPONENTS, ...contentComponents(request)];
}

/**
 * Throws `header_not_signed` unless every required component is among the
 * covered ones (both as serialised identifiers, see componentId()).
 *
 * @example
 * checkComponentCoverage(['"@method"', '"@path"'], ['@method']); // ok
 */
export function checkComponentCoverage(covered: readonly string[], required: readonly ComponentInput[]): void {
  for (const component of required) {
    const id = componentId(component);
    if (!covered.includes(id)) throw new SigilError('header_not_signed', { detail: id });
  }
}

/** The parameters a Sigil verifier requires, present and typed. */
export interface SigilSignatureParams {
  readonly created: number;
  readonly expires?: number;
  readonly keyid: string;
  readonly nonce: string;
  readonly alg?: string;
  readonly tag?: string;
}

/**
 * Checks what the Sigil profile requires beyond RFC 9421 (SPEC.md section
 * 9.6): `created` present (`signature_header_malformed`); `nonce` present
 * with the v1 nonce syntax, 22 to 128 base64url characters, so one
 * NonceStore keys both schemes (`signature_header_malformed`); `alg`, when
 * present, implemented (`unsupported_algorithm`); `keyid` present with the
 * v1 key id syntax (`key_unknown`: no key can have another).
 *
 * @example
 * const { created, keyid, nonce } = requireSigilParams(parseRfc9421Signature(req).params);
 */
export function requireSigilParams(params: SignatureParamsView): SigilSignatureParams {
  if (params.created === undefined) throw new SigilError('signature_header_malformed', { detail: 'created is required' });
  if (params.nonce === undefined || !NONCE.test(params.nonce)) {
    throw new SigilError('signature_header_malformed', { detail: 'nonce is required: 22 to 128 base64url characters' });
  }
  checkAlg(params.alg);
  if (!isKeyId(params.keyid)) throw new SigilError('key_unknown', { detail: 'keyid is absent or not a Sigil key id' });
  return params as SigilSignatureParams;
}
