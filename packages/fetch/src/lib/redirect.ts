import type { HeaderPair } from './sign-parts.js';

/** Statuses fetch follows (Fetch standard, "redirect status"). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Headers that describe a body; dropped with it (Fetch "request-body-header
 * name", and an RFC 9530 Content-Digest, which would no longer match).
 */
const BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length', 'content-digest']);

/**
 * The request after a redirect, by fetch's rule: 301/302 turn a POST into a
 * GET, 303 turns anything but GET/HEAD into a GET; either way the body and
 * its headers are dropped. 307/308 keep method and body.
 */
export function redirectRequest(
  status: number,
  method: string,
  headers: readonly HeaderPair[],
  body: Uint8Array | null,
): { method: string; headers: readonly HeaderPair[]; body: Uint8Array | null } {
  const toGet = ((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD');
  if (!toGet) return { method, headers, body };
  return { method: 'GET', headers: headers.filter(([name]) => !BODY_HEADERS.has(name.toLowerCase())), body: null };
}

/**
 * Browsers answer the `redirect: 'manual'` fetch the signer makes (it follows
 * redirects itself, to re-sign each hop) with an opaque redirect: status 0,
 * no readable Location. Such a redirect cannot be followed signed; the
 * caller's own `redirect: 'manual'` gets it as fetch would return it.
 */
export function isOpaqueRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect';
}
