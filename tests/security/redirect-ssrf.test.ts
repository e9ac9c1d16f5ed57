// Attacks: a cross-origin redirect that would carry a signature to another
// host, and SSRF, where a server fetches a URL an attacker chose with a
// signing client and so hands the attacker a valid signed request. Real
// servers on several loopback ports: the API (A), a second verifier (B),
// the attacker's collector, and a "link preview" service that fetches URLs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signingInterceptor } from '@sigil/fetch';
import { Agent, interceptors, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, KEY_ID } from './helpers/keys.js';
import { closeAll, signingClient, startStack, type Stack } from './helpers/stack.js';

interface Collected {
  readonly url: string;
  readonly signature: string | undefined;
  /** Authorization or Cookie, when any arrived. */
  readonly credentials?: string;
}

let api: Stack;
let other: Stack;
let collector: { origin: string; seen: Collected[]; server: Server };
let preview: { origin: string; server: Server };
const agent = new Agent();

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The attacker's server: records what arrives, and whether it carries a signature. */
async function startCollector(): Promise<typeof collector> {
  const seen: Collected[] = [];
  const server = createServer((req, res) => {
    const credentials = req.headers.authorization ?? req.headers.cookie;
    seen.push({ url: req.url ?? '', signature: req.headers['sigil-signature'] as string | undefined, ...(credentials ? { credentials } : {}) });
    res.end('thanks');
  });
  return { origin: await listen(server), seen, server };
}

/**
 * A vulnerable "link preview" service: fetches whatever ?url= names with a
 * client that signs for the API. ?via=interceptor uses undici.request on an
 * Agent composed with the signing interceptor instead of the fetch wrapper.
 */
async function startPreview(apiOrigin: string): Promise<typeof preview> {
  const signedFetch = signingClient(apiOrigin);
  const dispatcher = agent.compose(signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [apiOrigin] }), interceptors.redirect({ maxRedirections: 3 }));
  const server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const url = params.get('url') ?? '';
    const fetched =
      params.get('via') === 'interceptor'
        ? request(url, { dispatcher }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }))
        : signedFetch(url).then(async (r) => ({ status: r.status, text: await r.text() }));
    fetched.then(
      ({ status, text }) => res.end(JSON.stringify({ status, text })),
      (error: { code?: string }) => res.writeHead(502).end(JSON.stringify({ refused: error.code ?? 'network' })),
    );
  });
  return { origin: await listen(server), server };
}

beforeAll(async () => {
  collector = await startCollector();
  other = await startStack();
  api = await startStack({
    handle: (req, res) => {
      const to = req.url === '/go-other' ? `${other.origin}/landing` : req.url === '/go-attacker' ? `${collector.origin}/stolen` : undefined;
      if (to) res.writeHead(req.method === 'POST' ? 307 : 302, { location: to }).end();
      return to !== undefined;
    },
  });
  preview = await startPreview(api.origin);
});
afterAll(async () => {
  for (const server of [collector.server, preview.server]) {
    server.closeAllConnections();
    server.close();
  }
  await agent.close();
  await closeAll();
});
beforeEach(() => {
  collector.seen.length = 0;
  other.events.length = 0;
});

describe('attack: cross-origin redirect', () => {
  it('the fetch wrapper refuses to follow a signed request to another origin; that origin receives nothing', async () => {
    await expect(signingClient(api.origin)(`${api.origin}/go-attacker`)).rejects.toMatchObject({ code: 'origin_not_allowed' });
    const bothListed = signingClient(api.origin, { origins: [api.origin, other.origin] });
    await expect(bothListed(`${api.origin}/go-other`, { method: 'POST', body: 'x' })).rejects.toMatchObject({ code: 'redirect_cross_origin' });
    expect(collector.seen).toHaveLength(0);
    expect(other.events).toHaveLength(0);
  });

  it('followed unsigned when asked: the other origin gets no signature and no credentials', async () => {
    const lax = signingClient(api.origin, { redirect: { crossOrigin: 'follow-unsigned' } });
    const res = await lax(`${api.origin}/go-attacker`, { headers: { authorization: 'Bearer t0ken', cookie: 'sid=1' } });
    expect(await res.text()).toBe('thanks');
    expect(collector.seen).toEqual([{ url: '/stolen', signature: undefined }]);
  });

  it('the interceptor behind undici redirects: refused by default, and a second verifier sees no signature either way', async () => {
    const strict = agent.compose(signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [api.origin, other.origin] }), interceptors.redirect({ maxRedirections: 3 }));
    await expect(request(`${api.origin}/go-other`, { dispatcher: strict })).rejects.toMatchObject({ code: 'redirect_cross_origin' });
    expect(other.events).toHaveLength(0);
    const lax = agent.compose(
      signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [api.origin, other.origin], redirect: { crossOrigin: 'follow-unsigned' } }),
      interceptors.redirect({ maxRedirections: 3 }),
    );
    const res = await request(`${api.origin}/go-other`, { dispatcher: lax });
    expect([res.statusCode, await res.body.json()]).toEqual([401, { error: 'signature_missing' }]);
    expect(other.events.map((e) => e.code)).toEqual(['signature_missing']);
  });
});

describe('attack: SSRF toward a non-allowed origin', () => {
  it('control: the preview service fetches API URLs, signed', async () => {
    const res = await request(`${preview.origin}/preview?url=${encodeURIComponent(`${api.origin}/v1/me`)}`);
    expect((await res.body.json()) as object).toMatchObject({ status: 200 });
  });

  it('asked for the attacker URL, the fetch wrapper refuses before sending: the attacker receives nothing', async () => {
    const res = await request(`${preview.origin}/preview?url=${encodeURIComponent(`${collector.origin}/collect`)}`);
    expect([res.statusCode, await res.body.json()]).toEqual([502, { refused: 'origin_not_allowed' }]);
    expect(collector.seen).toHaveLength(0);
  });

  it('asked for an API URL that redirects to the attacker (open redirect), it refuses too', async () => {
    const res = await request(`${preview.origin}/preview?url=${encodeURIComponent(`${api.origin}/go-attacker`)}`);
    expect([res.statusCode, await res.body.json()]).toEqual([502, { refused: 'origin_not_allowed' }]);
    expect(collector.seen).toHaveLength(0);
  });

  it('with the interceptor on a shared Agent, the attacker URL is fetched without any signature', async () => {
    const direct = await request(`${preview.origin}/preview?via=interceptor&url=${encodeURIComponent(`${collector.origin}/collect`)}`);
    expect(await direct.body.json()).toEqual({ status: 200, text: 'thanks' });
    const redirected = await request(`${preview.origin}/preview?via=interceptor&url=${encodeURIComponent(`${api.origin}/go-attacker`)}`);
    expect([redirected.statusCode, await redirected.body.json()]).toEqual([502, { refused: 'origin_not_allowed' }]);
    expect(collector.seen).toEqual([{ url: '/collect', signature: undefined }]);
  });
});
