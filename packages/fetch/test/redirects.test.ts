import { importKey } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type Route, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
let a: TestServer;
let b: TestServer;

function redirect(status: number, location: (server: TestServer) => string): Route {
  return (_seen, res, server) => {
    res.writeHead(status, { location: location(server) });
    res.end();
  };
}

/** Routes by path; unknown paths answer 200 "ok". */
function routes(table: Record<string, Route>): Route {
  return (seen, res, server) => {
    const route = table[new URL(seen.url, 'http://x').pathname];
    if (route) return route(seen, res, server);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`ok ${seen.method} ${seen.url}`);
  };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(key), startServer(key)]);
  a.route = routes({
    '/same': redirect(302, () => '/final?hop=1'),
    '/see-other': redirect(303, () => '/final'),
    '/moved-post': redirect(301, () => '/final'),
    '/temporary': redirect(307, () => '/final'),
    '/permanent': redirect(308, () => `${a.origin}/final`),
    '/cross': redirect(302, () => `${b.origin}/landing`),
    '/cross-307': redirect(307, () => `${b.origin}/landing`),
    '/loop': redirect(302, () => '/loop'),
    '/no-location': (_s, res) => {
      res.writeHead(302);
      res.end('no location');
    },
  });
  b.route = routes({ '/bounce-back': redirect(302, () => `${a.origin}/final`) });
});
afterAll(() => Promise.all([a.close(), b.close()]));
beforeEach(() => {
  a.seen.length = 0;
  b.seen.length = 0;
});

describe('same-origin redirects', () => {
  const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });

  it('re-signs each hop for its own target with a fresh nonce', async () => {
    const res = await signedFetch(`${a.origin}/same`);
    expect(await res.text()).toBe('ok GET /final?hop=1');
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${a.origin}/final?hop=1`);
    expect(a.seen.map((s) => s.url)).toEqual(['/same', '/final?hop=1']);
    for (const seen of a.seen) expect(seen.verified?.ok).toBe(true);
    expect(new Set(a.seen.map((s) => s.params!.nonce)).size).toBe(2);
  });

  it('303 turns a POST into a GET without body or content-type, signed', async () => {
    const res = await signedFetch(`${a.origin}/see-other`, { method: 'POST', body: 'payload', headers: { 'x-keep': '1' } });
    expect(await res.text()).toBe('ok GET /final');
    const hop = a.seen[1]!;
    expect([hop.method, hop.body.length, hop.header('content-type'), hop.header('x-keep')]).toEqual(['GET', 0, undefined, '1']);
    expect(hop.verified?.ok).toBe(true);
  });

  it('301 turns a POST into a GET', async () => {
    await signedFetch(`${a.origin}/moved-post`, { method: 'POST', body: 'payload' });
    expect(a.seen[1]!.method).toBe('GET');
    expect(a.seen[1]!.verified?.ok).toBe(true);
  });

  it('307 and 308 resend the same method and body bytes, signed afresh', async () => {
    for (const path of ['/temporary', '/permanent']) {
      a.seen.length = 0;
      const body = Uint8Array.of(1, 2, 3, 250);
      await signedFetch(`${a.origin}${path}`, { method: 'PUT', body });
      const [first, second] = a.seen;
      expect(second!.method).toBe('PUT');
      expect(second!.body).toEqual(body);
      expect(second!.verified?.ok).toBe(true);
      expect(second!.params!.nonce).not.toBe(first!.params!.nonce);
    }
  });

  it('a stream body is buffered once and resent on 307', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    await signedFetch(`${a.origin}/temporary`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(a.seen.map((s) => Buffer.from(s.body).toString())).toEqual(['streamed', 'streamed']);
    expect(a.seen.every((s) => s.verified?.ok)).toBe(true);
  });

  it('stops after maxHops with too_many_redirects', async () => {
    const limited = createSigningFetch({ keyId: 'client-1', secret: key, redirect: { maxHops: 2 }, origins: '*' });
    await expect(limited(`${a.origin}/loop`)).rejects.toMatchObject({ code: 'too_many_redirects' });
    expect(a.seen).toHaveLength(3);
  });

  it('returns a 3xx without Location as it is', async () => {
    const res = await signedFetch(`${a.origin}/no-location`);
    expect(res.status).toBe(302);
  });

  it('redirect: "manual" hands the 3xx back; "error" rejects like fetch', async () => {
    const res = await signedFetch(`${a.origin}/same`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/final?hop=1');
    await expect(signedFetch(`${a.origin}/same`, { redirect: 'error' })).rejects.toThrow(TypeError);
    expect(a.seen.map((s) => s.url)).toEqual(['/same', '/same']);
  });
});

describe('cross-origin redirects never carry a signature', () => {
  it('by default stop with redirect_cross_origin; the second origin sees nothing', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    await expect(signedFetch(`${a.origin}/cross`)).rejects.toMatchObject({ name: 'SigilError', code: 'redirect_cross_origin' });
    expect(a.seen).toHaveLength(1);
    expect(b.seen).toHaveLength(0);
  });

  it('with follow-unsigned, the second origin gets no signature, Authorization or Cookie', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, redirect: { crossOrigin: 'follow-unsigned' }, origins: '*' });
    const res = await signedFetch(`${a.origin}/cross-307`, {
      method: 'POST',
      body: 'data',
      headers: { authorization: 'Bearer t', cookie: 'c=1', 'x-other': 'kept' },
    });
    expect(await res.text()).toBe('ok POST /landing');
    expect(a.seen[0]!.verified?.ok).toBe(true);
    const landing = b.seen[0]!;
    expect(landing.signature).toBeUndefined();
    expect(landing.header('authorization')).toBeUndefined();
    expect(landing.header('cookie')).toBeUndefined();
    expect(landing.header('x-other')).toBe('kept');
  });

  it('a chain that leaves and comes back is not signed again', async () => {
    b.route = redirect(302, () => `${a.origin}/final`);
    a.route = routes({ '/out': redirect(302, () => `${b.origin}/bounce`) });
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, redirect: { crossOrigin: 'follow-unsigned' }, origins: '*' });
    const res = await signedFetch(`${a.origin}/out`);
    expect(res.status).toBe(200);
    expect(a.seen.map((s) => [s.url, s.signature === undefined])).toEqual([
      ['/out', false],
      ['/final', true],
    ]);
    expect(b.seen[0]!.signature).toBeUndefined();
  });

  it('https to http on the same host is cross-origin and insecure', async () => {
    const calls: string[] = [];
    const stub: FetchLike = async (url) => {
      calls.push(url);
      return new Response(null, { status: 302, headers: { location: 'http://api.example.com/next' } });
    };
    const strict = createSigningFetch({ keyId: 'k', secret: key, fetch: stub, origins: '*' });
    await expect(strict('https://api.example.com/start')).rejects.toMatchObject({ code: 'redirect_cross_origin' });
    const lenient = createSigningFetch({ keyId: 'k', secret: key, fetch: stub, redirect: { crossOrigin: 'follow-unsigned' }, origins: '*' });
    await expect(lenient('https://api.example.com/start')).rejects.toMatchObject({ code: 'insecure_transport' });
    expect(calls).toEqual(['https://api.example.com/start', 'https://api.example.com/start']);
  });
});
