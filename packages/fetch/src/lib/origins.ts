// Keys bound to origins (SSRF defence). A server that fetches URLs an
// attacker influences must not hand that attacker a signed request, so the
// client signs only for the origins it was configured with. One matcher for
// createSigningFetch() and signingInterceptor(), so the two agree.
import { SigilError } from '@sigil/core';
import { checkTransport } from './transport.js';

/** @internal Where a key may be sent, settled once at construction. */
export interface OriginPolicy {
  /** `'*'` or the normalised entries (for display in the redacted face). */
  readonly list: '*' | readonly string[];
  /** True when a signature may be sent to `url`'s origin. */
  allows(url: URL): boolean;
}

interface Wildcard {
  readonly protocol: string;
  readonly port: string;
  /** The domain under `*.`, e.g. `example.com`. */
  readonly suffix: string;
}

function invalid(option: string | number, problem: string): SigilError {
  return new SigilError('invalid_option', { detail: `options.${typeof option === 'number' ? `origins.${option}` : option} ${problem}` });
}

/** Parses an option that must be an origin (`https://api.example.com`), naming the option on failure. */
function originUrl(text: string, option: string | number): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(option, 'is not a URL (write an origin such as https://api.example.com)');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password || text.endsWith('?') || text.endsWith('#')) {
    throw invalid(option, 'must be an origin such as https://api.example.com (no path, query or credentials)');
  }
  return url;
}

/**
 * Settles the interceptor's `dispatcherOrigin`: the one origin a Client or
 * Pool sends every request to. Exact only; the transport is checked when a
 * request is signed (an unlisted http: origin may still pass unsigned).
 */
export function exactOrigin(text: string, option: string): string {
  const url = originUrl(text, option);
  if (url.hostname.includes('*')) throw invalid(option, 'must be one exact origin, without a wildcard');
  return url.origin;
}

function parseEntry(text: string, index: number, allowInsecureHttp: boolean): { exact: string } | { wildcard: Wildcard } {
  const url = originUrl(text, index);
  try {
    checkTransport(url, allowInsecureHttp);
  } catch (error) {
    throw invalid(index, `is refused: ${(error as Error).message}`);
  }
  if (!url.hostname.includes('*')) return { exact: url.origin };
  const suffix = url.hostname.slice(2);
  // Only a whole leading label, over a domain of at least two labels: `*.com` is never meant.
  if (!url.hostname.startsWith('*.') || suffix.includes('*') || !/^[^.]+\.[^.]/.test(suffix)) {
    throw invalid(index, "may use '*' only as the whole first label over a domain, as in https://*.example.com");
  }
  return { wildcard: { protocol: url.protocol, port: url.port, suffix } };
}

/**
 * Settles the `origins` option. Exact entries match scheme, host and port
 * exactly (default ports normalised: `https://a.com:443` is `https://a.com`).
 * A wildcard entry `https://*.example.com` matches one or more labels under
 * `example.com` (`api.example.com`, `a.b.example.com`) with the same scheme
 * and port, never the apex `example.com` itself. `'*'` allows every origin.
 */
export function originPolicy(origins: '*' | readonly string[], allowInsecureHttp: boolean): OriginPolicy {
  if (origins === '*') return { list: '*', allows: () => true };
  const exact = new Set<string>();
  const wildcards: Wildcard[] = [];
  origins.forEach((text, index) => {
    if (text === '*') throw invalid(index, "is '*': to allow every origin write origins: '*' (a string, not a list)");
    const entry = parseEntry(text, index, allowInsecureHttp);
    if ('exact' in entry) exact.add(entry.exact);
    else wildcards.push(entry.wildcard);
  });
  return {
    list: [...exact, ...wildcards.map((w) => `${w.protocol}//*.${w.suffix}${w.port ? `:${w.port}` : ''}`)],
    allows(url) {
      if (exact.has(url.origin)) return true;
      const host = url.hostname;
      return wildcards.some(
        (w) => w.protocol === url.protocol && w.port === url.port && host.length > w.suffix.length + 1 && host.endsWith(`.${w.suffix}`),
      );
    },
  };
}

/**
 * The error for a redirect that leaves its origin when the policy is
 * `'error'`: `origin_not_allowed` when the key may not go there at all,
 * `redirect_cross_origin` when it may but a signature is never forwarded.
 */
export function crossOriginError(policy: OriginPolicy, next: URL): SigilError {
  if (!policy.allows(next)) return new SigilError('origin_not_allowed', { detail: 'the redirect leads to an origin not in options.origins' });
  return new SigilError('redirect_cross_origin', { detail: 'set options.redirect.crossOrigin to "follow-unsigned" to follow it unsigned' });
}

/** The refusal of a request to an origin the key is not bound to. */
export function originNotAllowed(): SigilError {
  return new SigilError('origin_not_allowed', { detail: 'add the origin to options.origins' });
}
