// Keys bound to origins (SSRF): createSigningFetch refuses any origin not
// listed before anything is sent, the interceptor never signs for one, and
// both read `origins` with one matcher. Real servers on two loopback ports.
import { importKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type SigningInterceptorOptions } from '@sigil/fetch';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingFetch, SECRET_BYTES, startServer, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(key), startServer(key)]);
  a.route = (seen, res) => {
    if (seen.url === '/to-b') return void res.writeHead(307, { location: `${b.origin}/landing` }).end();
    res.writeHead(200).end('a');
  };
});
afterAll(() => Promise.all([a.close(), b.close()]));
beforeEach(() => {
  a.seen.length = 0;
  b.seen.length = 0;
});

/** Whether the interceptor signs a dispatch to `origin` (a recording dispatch function: nothing is sent). */
function interceptorSigns(options: Partial<SigningInterceptorOptions>, origin: string): boolean {
  const sent: Dispatcher.DispatchOptions[] = [];
  const dispatch = signingInterceptor({ keyId: 'client-1', secret: key, origins: '*', ...options })((opts) => (sent.push(opts), true));
  dispatch({ origin, path: '/x', method: 'GET', headers: {} }, {});
  const headers = sent[0]?.headers ?? {};
  const names = Array.isArray(headers) ? headers.map(String) : Object.keys(headers);
  return names.some((name) => name.toLowerCase() === 'sigil-signature');
}

/** Whether createSigningFetch sends a request to `url` (a recording fetch: nothing leaves the process). */
async function fetchSends(origins: '*' | readonly string[], url: string): Promise<boolean> {
  const recorder = recordingFetch();
  const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins, fetch: recorder.fetch });
  try {
    await signedFetch(url);
  } catch (error) {
    expect(error).toMatchObject({ code: 'origin_not_allowed' });
  }
  return recorder.calls.length === 1;
}

describe('createSigningFetch with origins (real servers)', () => {
  it('signs for a listed origin and refuses another one before anything is sent', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin] });
    expect(await (await signedFetch(`${a.origin}/ok`)).text()).toBe('a');
    expect(a.seen[0]!.verified?.ok).toBe(true);
    await expect(signedFetch(`${b.origin}/ssrf?x=1`, { method: 'POST', body: 'payload' })).rejects.toMatchObject({
      code: 'origin_not_allowed',
      message: 'the key may not be sent to this origin: add the origin to options.origins',
    });
    expect(b.seen).toHaveLength(0);
  });

  it('refuses a redirect toward an origin not listed; a listed one is still never sent a signature', async () => {
    const onlyA = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin] });
    await expect(onlyA(`${a.origin}/to-b`)).rejects.toMatchObject({ code: 'origin_not_allowed' });
    const both = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin, b.origin] });
    await expect(both(`${a.origin}/to-b`)).rejects.toMatchObject({ code: 'redirect_cross_origin' });
    expect(b.seen).toHaveLength(0);
    const unsigned = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin], redirect: { crossOrigin: 'follow-unsigned' } });
    expect((await unsigned(`${a.origin}/to-b`)).status).toBe(200);
    expect(b.seen[0]!.signature).toBeUndefined();
  });

  it("origins: '*' signs for any origin, and says so in the redacted face", async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    expect((await signedFetch(`${b.origin}/any`)).status).toBe(200);
    expect(b.seen[0]!.verified?.ok).toBe(true);
    expect(JSON.stringify(signedFetch)).toContain('"origins":"*"');
  });
});

describe('one matcher for both clients', () => {
  const cases: Array<[string, readonly string[], string, boolean]> = [
    ['exact origin', ['https://api.example.com'], 'https://api.example.com', true],
    ['default port written out', ['https://api.example.com:443'], 'https://api.example.com', true],
    ['default port in the request', ['https://api.example.com'], 'https://api.example.com:443', true],
    ['case and trailing slash', ['HTTPS://API.Example.COM/'], 'https://api.example.com', true],
    ['other scheme', ['https://api.example.com'], 'http://api.example.com', false],
    ['other port', ['https://api.example.com'], 'https://api.example.com:8443', false],
    ['subdomain of an exact entry', ['https://example.com'], 'https://api.example.com', false],
    ['suffix look-alike', ['https://api.example.com'], 'https://api.example.com.evil.net', false],
    ['wildcard: one label', ['https://*.example.com'], 'https://api.example.com', true],
    ['wildcard: two labels', ['https://*.example.com'], 'https://a.b.example.com', true],
    ['wildcard: never the apex', ['https://*.example.com'], 'https://example.com', false],
    ['wildcard: no look-alike', ['https://*.example.com'], 'https://evilexample.com', false],
    ['wildcard: same scheme only', ['https://*.example.com'], 'http://api.example.com', false],
    ['wildcard: same port only', ['https://*.example.com:8443'], 'https://api.example.com', false],
    ['wildcard with its port', ['https://*.example.com:8443'], 'https://api.example.com:8443', true],
    ['several entries', ['https://a.example.net', 'https://*.example.com'], 'https://a.example.net', true],
  ];

  it.each(cases)('%s', async (_name, origins, url, allowed) => {
    expect(await fetchSends(origins, `${url}/x`)).toBe(allowed);
    expect(interceptorSigns({ origins }, url)).toBe(allowed);
  });

  it("'*' allows every origin in both", async () => {
    expect(await fetchSends('*', 'https://anything.example.org/x')).toBe(true);
    expect(interceptorSigns({ origins: '*' }, 'https://anything.example.org')).toBe(true);
  });
});

describe('origins option validation', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['an empty list', [], /options\.origins is invalid \(must be '\*' or a non-empty list of origins\)/],
    ["'*' inside a list", ['*'], /options\.origins\.0 is '\*': to allow every origin write origins: '\*'/],
    ['a path', ['https://api.example.com/v1'], /options\.origins\.0 must be an origin/],
    ['a query', ['https://api.example.com?'], /options\.origins\.0 must be an origin/],
    ['credentials', ['https://u:p@api.example.com'], /options\.origins\.0 must be an origin/],
    ['not a URL', ['api.example.com'], /options\.origins\.0 is not a URL/],
    ['a wildcard over a TLD', ['https://*.com'], /options\.origins\.0 may use '\*' only as the whole first label/],
    ['a wildcard inside', ['https://api.*.example.com'], /options\.origins\.0 may use '\*' only as the whole first label/],
    ['a partial-label wildcard', ['https://api-*.example.com'], /options\.origins\.0 may use '\*' only as the whole first label/],
    ['plain http to a remote host', ['https://ok.example.com', 'http://api.example.com'], /options\.origins\.1 is refused/],
    ['a string other than *', 'https://api.example.com', /options\.origins is invalid \(must be '\*' or a non-empty list/],
  ];

  it.each(bad)('refuses %s in both, naming the entry', (_name, origins, message) => {
    const options = { keyId: 'client-1', secret: key, origins: origins as never };
    expect(() => createSigningFetch(options)).toThrow(message);
    expect(() => signingInterceptor(options)).toThrow(message);
    try {
      signingInterceptor(options);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_option' });
    }
  });

  it('accepts plain http to loopback, or anywhere with allowInsecureHttp', () => {
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: ['http://127.0.0.1:8080', 'http://*.dev.localhost'] })).not.toThrow();
    expect(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['http://api.internal'], allowInsecureHttp: true })).not.toThrow();
  });

  it('the interceptor requires origins', () => {
    expect(() => signingInterceptor({ keyId: 'k', secret: key } as never)).toThrow(/options\.origins is invalid \(required: list the origins the key may be sent to, or write '\*'\)/);
  });
});
