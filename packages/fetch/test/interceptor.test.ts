import { Readable } from 'node:stream';
import { importKey } from '@sigil/core';
import { signingInterceptor } from '@sigil/fetch';
import { Agent, Client, FormData as UndiciFormData, interceptors, Pool, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type Route, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
let a: TestServer;
let b: TestServer;
const closers: Array<() => Promise<void>> = [];

function track<T extends Dispatcher>(dispatcher: T): T {
  closers.push(() => dispatcher.close());
  return dispatcher;
}

const ok: Route = (seen, res) => {
  res.writeHead(200);
  res.end(`ok ${seen.method} ${seen.url}`);
};

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(key), startServer(key)]);
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await Promise.all([a.close(), b.close()]);
});
beforeEach(() => {
  a.seen.length = 0;
  b.seen.length = 0;
  a.route = ok;
  b.route = ok;
});

function agent(...more: Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
  return track(new Agent()).compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin] }), ...more);
}

describe('undici.request through the interceptor', () => {
  const bodies: Array<[string, () => unknown, string]> = [
    ['string', () => 'hello é', 'hello é'],
    ['Buffer', () => Buffer.from('buffered'), 'buffered'],
    ['Uint8Array', () => new TextEncoder().encode('bytes'), 'bytes'],
    ['Readable', () => Readable.from([Buffer.from('rea'), Buffer.from('dable')]), 'readable'],
    [
      'async iterable',
      () =>
        (async function* () {
          yield 'as';
          yield new TextEncoder().encode('ync');
        })(),
      'async',
    ],
    ['web ReadableStream', () => new Blob(['web stream']).stream(), 'web stream'],
  ];

  it.each(bodies)('%s body is signed over the bytes sent', async (_name, body, text) => {
    const dispatcher = agent();
    const res = await request(`${a.origin}/up?x=1`, { dispatcher, method: 'POST', body: body() as string });
    expect(await res.body.text()).toBe('ok POST /up?x=1');
    const seen = a.seen[0]!;
    expect(Buffer.from(seen.body).toString()).toBe(text);
    expect(seen.verified?.ok, JSON.stringify(seen.verified)).toBe(true);
  });

  it('Blob body: bytes and its type are sent and signed', async () => {
    await request(a.origin + '/blob', { dispatcher: agent(), method: 'POST', body: new Blob(['{}'], { type: 'application/json' }) as never });
    const seen = a.seen[0]!;
    expect([seen.header('content-type'), seen.params!.headers.includes('content-type'), seen.verified?.ok]).toEqual(['application/json', true, true]);
  });

  it.each([
    ['global FormData', () => new FormData()],
    ['undici FormData', () => new UndiciFormData() as unknown as FormData],
  ])('%s body: the boundary sent is the one signed', async (_name, make) => {
    const form = make();
    form.append('field', 'value');
    form.append('file', new Blob([Uint8Array.of(9, 8, 7)]), 'f.bin');
    await request(a.origin + '/form', { dispatcher: agent(), method: 'POST', body: form as never });
    const seen = a.seen[0]!;
    expect(seen.verified?.ok).toBe(true);
    const type = seen.header('content-type')!;
    const parsed = await new Response(seen.body, { headers: { 'content-type': type } }).formData();
    expect(parsed.get('field')).toBe('value');
    expect(new Uint8Array(await (parsed.get('file') as Blob).arrayBuffer())).toEqual(Uint8Array.of(9, 8, 7));
  });

  it('the query option, header arrays and signedHeaders', async () => {
    const dispatcher = track(new Agent()).compose(
      signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin], signedHeaders: ['x-multi'] }),
    );
    await request(a.origin + '/q', { dispatcher, query: { a: 'b c', list: ['1', '2'] }, headers: { 'x-multi': ['one', 'two'] } });
    const seen = a.seen[0]!;
    expect(seen.url).toBe('/q?a=b%20c&list=1&list=2');
    expect(seen.params!.headers).toEqual(['host', 'x-multi']);
    expect(seen.verified?.ok).toBe(true);
  });

  it('a Client and a Pool sign for the dispatcherOrigin they were composed with', async () => {
    const interceptor = signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin], dispatcherOrigin: a.origin });
    const client = track(new Client(a.origin)).compose(interceptor);
    const pool = track(new Pool(a.origin)).compose(interceptor);
    await (await client.request({ path: '/client', method: 'PUT', body: 'c' })).body.text();
    await (await pool.request({ path: '/pool', method: 'GET' })).body.text();
    expect(a.seen.map((s) => [s.url, s.verified?.ok])).toEqual([
      ['/client', true],
      ['/pool', true],
    ]);
  });

  it('requests to origins not listed pass through unsigned', async () => {
    await (await request(b.origin + '/elsewhere', { dispatcher: agent(), headers: { 'sigil-signature': 'stale' } })).body.text();
    expect(b.seen[0]!.signature).toBeUndefined();
  });

  it('a body past maxBodyBytes fails the request with body_too_large, nothing sent', async () => {
    const dispatcher = track(new Agent()).compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin], maxBodyBytes: 8 }));
    await expect(request(a.origin + '/big', { dispatcher, method: 'POST', body: Readable.from([Buffer.alloc(5), Buffer.alloc(5)]) })).rejects.toMatchObject({
      code: 'body_too_large',
    });
    await expect(request(a.origin + '/big', { dispatcher, method: 'POST', body: 'x'.repeat(9) })).rejects.toMatchObject({ code: 'body_too_large' });
    expect(a.seen).toHaveLength(0);
  });
});

describe('retries and redirects through undici interceptors', () => {
  it("interceptors.retry: every attempt is signed with a distinct nonce", async () => {
    let n = 0;
    a.route = (seen, res) => {
      if (n++ < 2) {
        res.writeHead(503);
        return res.end();
      }
      ok(seen, res, a);
    };
    const dispatcher = agent(interceptors.retry({ minTimeout: 1, maxTimeout: 5, maxRetries: 3, methods: ['POST'] }));
    const res = await request(a.origin + '/flaky', { dispatcher, method: 'POST', body: 'same bytes' });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(a.seen).toHaveLength(3);
    expect(a.seen.every((s) => s.verified?.ok && Buffer.from(s.body).toString() === 'same bytes')).toBe(true);
    expect(new Set(a.seen.map((s) => s.params!.nonce)).size).toBe(3);
  });

  it('interceptors.redirect: a same-origin hop is re-signed for its target', async () => {
    a.route = (seen, res) => {
      if (seen.url === '/start') {
        res.writeHead(307, { location: '/next?n=2' });
        return res.end();
      }
      ok(seen, res, a);
    };
    const res = await request(a.origin + '/start', { dispatcher: agent(interceptors.redirect({ maxRedirections: 2 })), method: 'PUT', body: 'r' });
    expect(await res.body.text()).toBe('ok PUT /next?n=2');
    expect(a.seen.map((s) => s.verified?.ok)).toEqual([true, true]);
    expect(a.seen[0]!.params!.nonce).not.toBe(a.seen[1]!.params!.nonce);
  });

  const orders: Array<[string, () => Dispatcher.DispatcherComposeInterceptor[]]> = [
    ['redirect only', () => [interceptors.redirect({ maxRedirections: 3 })]],
    ['retry inside redirect', () => [interceptors.retry({ minTimeout: 1 }), interceptors.redirect({ maxRedirections: 3 })]],
    ['redirect inside retry', () => [interceptors.redirect({ maxRedirections: 3 }), interceptors.retry({ minTimeout: 1 })]],
  ];

  describe.each(orders)('cross-origin redirect (%s)', (_name, more) => {
    beforeEach(() => {
      a.route = (seen, res) => {
        if (seen.url === '/away') {
          res.writeHead(302, { location: `${b.origin}/landing` });
          return res.end();
        }
        ok(seen, res, a);
      };
    });

    it('fails by default (origin_not_allowed toward an unlisted origin, else redirect_cross_origin); the other origin sees nothing', async () => {
      await expect(request(a.origin + '/away', { dispatcher: agent(...more()) })).rejects.toMatchObject({ code: 'origin_not_allowed' });
      const both = track(new Agent()).compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin, b.origin] }), ...more());
      await expect(request(a.origin + '/away', { dispatcher: both })).rejects.toMatchObject({ code: 'redirect_cross_origin' });
      expect(a.seen).toHaveLength(2);
      expect(b.seen).toHaveLength(0);
    });

    it('follows unsigned when asked, even when the other origin is listed too', async () => {
      const dispatcher = track(new Agent()).compose(
        signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin, b.origin], redirect: { crossOrigin: 'follow-unsigned' } }),
        ...more(),
      );
      const res = await request(a.origin + '/away', { dispatcher });
      expect(await res.body.text()).toBe('ok GET /landing');
      expect(a.seen[0]!.verified?.ok).toBe(true);
      expect(b.seen[0]!.signature).toBeUndefined();
    });
  });
});

describe('composed in the wrong order', () => {
  it('a redirect interceptor inside the signer does not follow, so no signature is resent elsewhere', async () => {
    a.route = (seen, res) => {
      res.writeHead(302, { location: `${b.origin}/landing` });
      res.end();
    };
    const dispatcher = track(new Agent()).compose(
      interceptors.redirect({ maxRedirections: 3 }),
      signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin] }),
    );
    const res = await request(a.origin + '/away', { dispatcher });
    expect(res.statusCode).toBe(302);
    await res.body.text();
    expect(b.seen).toHaveLength(0);
  });

  it('a retry interceptor inside the signer does not resend a used nonce', async () => {
    a.route = (_seen, res) => {
      res.writeHead(503);
      res.end();
    };
    const dispatcher = track(new Agent()).compose(
      interceptors.retry({ minTimeout: 1, throwOnError: false }),
      signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin] }),
    );
    const res = await request(a.origin + '/flaky', { dispatcher });
    expect(res.statusCode).toBe(503);
    await res.body.text();
    expect(a.seen).toHaveLength(1);
  });
});

describe('clock skew through the interceptor', () => {
  it('learns the offset from a timestamp rejection and resends once, signed afresh', async () => {
    a.route = (seen, res) => {
      const serverNow = Math.floor(Date.now() / 1000) + 200;
      if (Math.abs(serverNow - seen.params!.timestamp) > 60) {
        res.writeHead(401, { 'content-type': 'application/json', 'sigil-server-time': String(serverNow) });
        return res.end('{"error":"timestamp_out_of_window"}');
      }
      ok(seen, res, a);
    };
    const dispatcher = agent();
    const res = await request(a.origin + '/skew', { dispatcher, method: 'POST', body: 'again' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok POST /skew');
    expect(a.seen).toHaveLength(2);
    expect(a.seen[1]!.verified?.ok).toBe(true);
    expect(a.seen[1]!.params!.nonce).not.toBe(a.seen[0]!.params!.nonce);
    // The next request uses the learned offset straight away.
    await (await request(a.origin + '/skew2', { dispatcher })).body.text();
    expect(a.seen).toHaveLength(3);
  });
});

describe('interceptor options', () => {
  it('needs origins, and refuses a plain-http origin that is not loopback', () => {
    expect(() => signingInterceptor({ keyId: 'k', secret: key } as never)).toThrow(/options\.origins/);
    expect(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['http://api.example.com'] })).toThrow(/options\.origins\.0 is refused/);
    expect(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['https://api.example.com/v1'] })).toThrow(/must be an origin/);
    expect(() => signingInterceptor({ keyId: 'k', secret: key, origins: ['http://api.example.com'], allowInsecureHttp: true })).not.toThrow();
  });

  it('a dispatch without opts.origin and no dispatcherOrigin fails clearly, even with one origin listed', async () => {
    for (const origins of [[a.origin], [a.origin, b.origin]]) {
      const client = track(new Client(a.origin)).compose(signingInterceptor({ keyId: 'k', secret: key, origins }));
      await expect(client.request({ path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'invalid_option', message: /options\.dispatcherOrigin/ });
    }
    expect(a.seen).toHaveLength(0);
  });

  it('dispatcherOrigin must be one exact origin', () => {
    const base = { keyId: 'k', secret: key, origins: [a.origin] };
    expect(() => signingInterceptor({ ...base, dispatcherOrigin: 'nope' })).toThrow(/options\.dispatcherOrigin is not a URL/);
    expect(() => signingInterceptor({ ...base, dispatcherOrigin: `${a.origin}/v1` })).toThrow(/options\.dispatcherOrigin must be an origin/);
    expect(() => signingInterceptor({ ...base, dispatcherOrigin: 'https://*.example.com' })).toThrow(/options\.dispatcherOrigin must be one exact origin/);
    expect(() => signingInterceptor({ ...base, dispatcherOrigin: 42 } as never)).toThrow(/options\.dispatcherOrigin is invalid/);
  });
});
