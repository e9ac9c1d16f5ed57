// Reading the few request facts the verifier needs before the signature is
// parsed: the transport, the Sigil-Signature field lines, Content-Length.
import { SIGNATURE_HEADER, type HeaderList, type HeadersLike } from '@sigil/core';
import type { VerifierRequest } from '../types.js';
import type { Policy } from './policy.js';

function isList(headers: HeaderList | HeadersLike): headers is HeaderList {
  return Array.isArray(headers);
}

/** Every field line of one (lowercase) name, in order. */
function lines(headers: HeaderList | HeadersLike, lowerName: string): string[] {
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

/**
 * The Sigil-Signature field lines. A Fetch `Headers` joins repeated lines
 * with ", ", which the strict parser then refuses as malformed.
 */
export function signatureLines(headers: HeaderList | HeadersLike): string[] {
  return lines(headers, SIGNATURE_HEADER);
}

/** The declared Content-Length, or undefined when absent or unreadable. */
export function declaredLength(headers: HeaderList | HeadersLike): number | undefined {
  const [value] = lines(headers, 'content-length');
  return value !== undefined && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : undefined;
}

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
  const found = lines(headers, 'x-forwarded-proto');
  if (found.length === 0) return undefined;
  return found.every((line) => line.split(',').every((hop) => hop.trim().toLowerCase() === 'https'));
}

/**
 * Step 1, transport. Without trustProxy: a TLS connection, or a loopback
 * peer. With trustProxy: X-Forwarded-Proto decides when present (every hop
 * https), else the connection's TLS; the loopback exemption is off, because
 * the proxy itself is the loopback peer of every request it forwards.
 */
export function transportAllowed(policy: Policy, request: VerifierRequest): boolean {
  if (!policy.requireHttps) return true;
  if (policy.trustProxy) return forwardedSecure(request.headers) ?? request.secure === true;
  return request.secure === true || isLoopback(request.remoteAddress);
}
