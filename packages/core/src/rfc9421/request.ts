import { checkMethod, checkTarget } from '../canonicalize.js';
import { SigilError } from '../errors.js';
import { headerCount, headerValue, type SigilRequest } from '../request.js';

/**
 * The request an RFC 9421 operation reads: core's SigilRequest plus what
 * the target URI needs beyond the origin-form target.
 *
 * - `scheme`: `http` or `https`, the scheme the request was (or will be) sent with.
 * - `authority`: `host[:port]` of the target URI. When absent it is taken from
 *   the request's one `Host` field line (HTTP/1.1); an HTTP/2 or HTTP/3 adapter
 *   passes the `:authority` pseudo-header here.
 *
 * The authority is normalised as RFC 9421 section 2.2.3 says: lowercase, and
 * the scheme's default port removed.
 *
 * @example
 * const req: Rfc9421Request = {
 *   method: 'POST', scheme: 'https', target: '/foo?param=Value&Pet=dog',
 *   headers: [['host', 'example.com'], ['content-type', 'application/json']],
 *   body: new TextEncoder().encode('{"hello": "world"}'),
 * };
 */
export interface Rfc9421Request extends SigilRequest {
  readonly scheme: 'http' | 'https';
  readonly authority?: string;
}

const AUTHORITY = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~%!$&'()*+,;=-]+)(?::([0-9]{0,5}))?$/;
const DEFAULT_PORT = { http: '80', https: '443' } as const;

/** Throws `target_invalid` unless the scheme is http or https. */
function checkScheme(scheme: unknown): asserts scheme is 'http' | 'https' {
  if (scheme !== 'http' && scheme !== 'https') throw new SigilError('target_invalid', { detail: 'scheme must be http or https' });
}

/** @internal The normalised authority of the target URI. */
export function requestAuthority(request: Rfc9421Request): string {
  checkScheme(request.scheme);
  let raw = request.authority;
  if (raw === undefined) {
    if (headerCount(request.headers, 'host') !== 1) {
      throw new SigilError('target_invalid', { detail: 'the authority needs exactly one host field line' });
    }
    raw = headerValue(request.headers, 'host');
  }
  const lower = typeof raw === 'string' ? raw.toLowerCase() : '';
  const match = AUTHORITY.exec(lower);
  if (!match || lower.length > 255) throw new SigilError('target_invalid', { detail: 'authority' });
  const port = match[1];
  if (port === undefined) return lower;
  // An empty port or the scheme's default port is dropped (RFC 9110 section 4.2.3).
  if (port === '' || port === DEFAULT_PORT[request.scheme]) return lower.slice(0, lower.length - port.length - 1);
  return lower;
}

/** @internal The path and query of the origin-form target. */
export function splitTarget(target: string): { path: string; query: string | undefined } {
  checkTarget(target);
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: undefined } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** @internal Validates what every derived component reads. */
export function checkRequest(request: Rfc9421Request): void {
  if (typeof request !== 'object' || request === null) throw new SigilError('invalid_option', { detail: 'request' });
  checkMethod(request.method);
  checkTarget(request.target);
  checkScheme(request.scheme);
}
