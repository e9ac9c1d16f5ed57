// Derived components of a request (RFC 9421 section 2.2). Response-only
// components (@status) and the `req` parameter do not apply to requests.
import { SigilError } from '../errors.js';
import { utf8 } from '../lib/encoding.js';
import type { Parameters } from './sf/types.js';
import { requestAuthority, splitTarget, type Rfc9421Request } from './request.js';

/**
 * The derived component names Sigil computes for requests (RFC 9421
 * section 2.2; `@status` is for responses).
 *
 * @example
 * DERIVED_COMPONENTS.includes('@query-param'); // true
 */
export const DERIVED_COMPONENTS = [
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@request-target',
  '@path',
  '@query',
  '@query-param',
] as const;

function invalid(detail: string): SigilError {
  return new SigilError('signature_header_malformed', { detail });
}

// The application/x-www-form-urlencoded percent-encode set leaves only
// ASCII alphanumerics and *-._ as they are (WHATWG URL section 1.3).
function formEncode(text: string): string {
  let out = '';
  for (const byte of utf8(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9*\-._]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryParam(query: string | undefined, name: string): string {
  // WHATWG form-urlencoded parsing ("+" is a space, percent-decoding as
  // UTF-8), then every name and value re-encoded (RFC 9421 section 2.2.8).
  const values: string[] = [];
  // The leading "&" keeps a query that starts with "?" intact: the
  // URLSearchParams constructor would strip that "?", the URL parser does not.
  for (const [key, value] of new URLSearchParams(`&${query ?? ''}`)) {
    if (formEncode(key) === name) values.push(formEncode(value));
  }
  if (values.length === 0) throw new SigilError('signed_header_missing', { detail: 'a covered @query-param is absent' });
  // A repeated name is ambiguous: the RFC says it MUST NOT be covered.
  if (values.length > 1) throw invalid('a covered @query-param occurs more than once');
  return values[0]!;
}

function checkParams(name: string, params: Parameters): void {
  for (const key of params.keys()) {
    if (name === '@query-param' && key === 'name') continue;
    if (key === 'req') throw invalid('the req parameter applies to responses only');
    throw invalid(`unknown parameter on ${name}`);
  }
}

/**
 * @internal The value of a derived component. Throws
 * `signature_header_malformed` for an unknown name or parameter and
 * `signed_header_missing` for an absent @query-param.
 */
export function derivedValue(request: Rfc9421Request, name: string, params: Parameters): string {
  checkParams(name, params);
  switch (name) {
    case '@method':
      return request.method;
    case '@target-uri':
      return `${request.scheme}://${requestAuthority(request)}${request.target}`;
    case '@authority':
      return requestAuthority(request);
    case '@scheme':
      return request.scheme;
    case '@request-target':
      return request.target;
    case '@path':
      return splitTarget(request.target).path;
    case '@query':
      return `?${splitTarget(request.target).query ?? ''}`;
    case '@query-param': {
      const param = params.get('name');
      if (typeof param !== 'string') throw invalid('@query-param needs a name parameter that is a string');
      return queryParam(splitTarget(request.target).query, param);
    }
    default:
      throw invalid(name === '@status' ? '@status applies to responses only' : 'unknown derived component');
  }
}
