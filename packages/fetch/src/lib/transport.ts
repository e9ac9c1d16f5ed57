import { SigilError } from '@sigil/core';

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * True for hosts that never leave the machine: `localhost`, `*.localhost`
 * (RFC 6761), 127.0.0.0/8 and `[::1]`. Reads the WHATWG-parsed hostname,
 * so `127.1` and `0x7f.1` have already become `127.0.0.1`.
 */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || IPV4_LOOPBACK.test(host);
}

/**
 * Throws `insecure_transport` unless `url` is https:, or http: to a loopback
 * host, or http: with `allowInsecureHttp`. Runs before anything is sent.
 */
export function checkTransport(url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (allowInsecureHttp || isLoopback(url)) return;
    throw new SigilError('insecure_transport', {
      detail: 'http: is allowed only to loopback hosts or with options.allowInsecureHttp',
    });
  }
  throw new SigilError('insecure_transport', { detail: 'only http: and https: URLs can be signed' });
}
