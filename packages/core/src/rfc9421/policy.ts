import { headerValue } from '../request.js';
import { componentId, type ComponentInput } from './components.js';
import { SigilError } from '../errors.js';
import type { Rfc9421Request } from './request.js';

/** @internal True when the request carries content (bytes, or a hash of non-empty bytes). */
export function hasContent(request: Rfc9421Request): boolean {
  if (request.body) return request.body.length > 0;
  return request.bodySha256 !== undefined && request.bodySha256 !== 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
}

/**
 * The components Sigil signs, and its verifier requires, by default:
 * `@method`, `@authority`, `@path`, `@query`; `content-digest` when the
 * request has content; `content-type` when the request has one.
 *
 * @example
 * defaultComponents({ method: 'GET', scheme: 'https', target: '/', headers: [['host', 'a.example']] });
 * // ['@method', '@authority', '@path', '@query']
 */
export function defaultComponents(request: Rfc9421Request): string[] {
  const list = ['@method', '@authority', '@path', '@query'];
  if (hasContent(request)) list.push('content-digest');
  if (headerValue(request.headers, 'content-type') !== undefined) list.push('content-type');
  return list;
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
