// Reading the few request facts the verifier needs before the signature is
// parsed: the transport and scheme, signature field lines, Content-Length.
import type { HeaderList, HeadersLike } from '@sigil/core';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';

function isList(headers: HeaderList | HeadersLike): headers is HeaderList {
  return Array.isArray(headers);
}

/** Every field line of one (lowercase) name, in order (one joined line for a Fetch `Headers`). */
export function fieldLines(headers: HeaderList | HeadersLike, lowerName: string): string[] {
  if (!isList(headers)) {
    const value = headers.get(lowerName);
    return value === null ? [] : [value];
  }
  const out: string[] = [];
  for (const [name, value] of headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) out.push(value);
  }
  return out;
}

// The two lookups below run on every request: no array per call, and names
// of another length are skipped before any lowercasing.
function scan(headers: HeaderList | HeadersLike, lowerName: string, sole: boolean): string | undefined | null {
  if (!isList(headers)) return headers.get(lowerName) ?? undefined;
  let found: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const line = headers[i]!;
    const name = line[0];
    if (name.length !== lowerName.length || (name !== lowerName && name.toLowerCase() !== lowerName)) continue;
    if (!sole) return line[1];
    if (found !== undefined) return null;
    found = line[1];
  }
  return found;
}

/** The first field line of a (lowercase) name, or undefined. */
export function firstFieldLine(headers: HeaderList | HeadersLike, lowerName: string): string | undefined {
  return scan(headers, lowerName, false) ?? undefined;
}

/**
 * The only field line of a (lowercase) name: undefined when absent, null
 * when repeated. A Fetch `Headers` joins repeated lines with ", ", which the
 * strict Sigil-Signature parser then refuses as malformed.
 */
export function soleFieldLine(headers: HeaderList | HeadersLike, lowerName: string): string | undefined | null {
  return scan(headers, lowerName, true);
}

// What a head declares about content: core's definitions, shared with the
// vectors' verifier (SPEC.md section 4, steps 6 and 8).
export { declaredLength, declaresContent } from '@sigil/core';

/**
 * True for a loopback peer: 127.0.0.0/8 (also IPv4-mapped) and ::1. Only the
 * socket's address counts, never a header.
 */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v4);
}

/** X-Forwarded-Proto lines present and every hop they list is https. */
function forwardedSecure(headers: HeaderList | HeadersLike): boolean | undefined {
  const found = fieldLines(headers, 'x-forwarded-proto');
  if (found.length === 0) return undefined;
  return found.every((line) => line.split(',').every((hop) => hop.trim().toLowerCase() === 'https'));
}

/**
 * The scheme the client used, as far as the verifier can trust it: with
 * trustProxy, X-Forwarded-Proto when present (https only when every hop
 * is), else the connection's TLS. RFC 9421's `@scheme` and `@target-uri`
 * read it; step 1 decides on it.
 */
export function requestScheme(policy: Policy, request: VerifierRequest): 'http' | 'https' {
  const forwarded = policy.trustProxy ? forwardedSecure(request.headers) : undefined;
  return (forwarded ?? request.secure === true) ? 'https' : 'http';
}

/**
 * Step 1, transport: https (requestScheme), or without trustProxy a
 * loopback peer. With trustProxy the loopback exemption is off, because the
 * proxy itself is the loopback peer of every request it forwards.
 */
export function transportAllowed(policy: Policy, request: VerifierRequest): boolean {
  if (!policy.requireHttps) return true;
  return requestScheme(policy, request) === 'https' || (!policy.trustProxy && isLoopback(request.remoteAddress));
}

/**
 * Why step 1 refused a request, and what to change (SPEC.md section 4.1):
 * for events always, for the response body in debug mode only. Names the
 * setting, never a received value.
 */
export function transportHint(policy: Policy, request: VerifierRequest): string {
  if (policy.trustProxy) return 'trustProxy is set and X-Forwarded-Proto does not say https for every hop: have the TLS-terminating proxy send X-Forwarded-Proto: https';
  if (!request.remoteAddress) {
    return 'plain HTTP and the peer address is unknown, so the loopback exemption cannot apply: give the adapter the connection (remoteAddress: Bun server.requestIP(req), Deno info.remoteAddr), serve HTTPS, or set allowInsecureHttp for local development';
  }
  return 'plain HTTP from a peer that is not loopback: serve HTTPS (behind a TLS-terminating proxy: trustProxy), or set allowInsecureHttp for local development';
}
